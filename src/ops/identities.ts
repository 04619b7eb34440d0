/**
 * Identity discovery for operations: one synchronous walk over the sources (keys/discovery.ts),
 * then, on the asynchronous path, the passphrase-protected key files unlocked with a prompt.
 * SSH keys come back as {@link SshIdentity} objects, opened (and their passphrase asked for)
 * only when a file has a stanza for them. Found once per Io (a passphrase is asked for at
 * most once per command); warnings printed once.
 */
import { discoverIdentities, unlockKeyFiles, type Discovery } from '../keys/discovery.js';
import type { Host } from '../io/host.js';
import type { Ctx } from './context.js';
import { x25519Identity } from '../crypto/age-x25519.js';
import type { AnyIdentity } from '../crypto/data-key.js';
import { SshIdentity, type AskPassphrase } from '../crypto/ssh-identity.js';
import { parseRecipient, type Recipient } from '../keys/recipient.js';

/** What a command works with: every identity found, and every place looked at. */
export interface FoundIdentities {
  readonly identities: readonly AnyIdentity[];
  /** One line per place looked at; an SSH key that could not be opened says why. */
  readonly tried: readonly string[];
  readonly warnings: readonly string[];
}

const found = new WeakMap<Host, Promise<FoundIdentities>>();

/** Synchronously: what `config()` can use (no prompt, so protected key files stay locked). */
export function identitiesNow(host: Host, warn: (message: string) => void, recipientHint?: string): FoundIdentities {
  const discovery = discoverIdentities(host, { recipientHint });
  for (const warning of discovery.warnings) warn(warning);
  return withSshKeys(discovery, null);
}

/** How long the guard lets SOPS_AGE_KEY_CMD run (it has no terminal to ask on). */
export const KEY_CMD_TIMEOUT_MS = 10_000;

/**
 * For the pre-commit guard, which must never wait for a person: no passphrase is asked
 * (locked key files and protected SSH keys stay locked) and SOPS_AGE_KEY_CMD runs with no
 * terminal, for 10 s at most.
 */
export function identitiesWithoutPrompts(ctx: Ctx): FoundIdentities {
  const discovery = discoverIdentities(ctx.io, { noPromptTimeoutMs: KEY_CMD_TIMEOUT_MS });
  for (const warning of discovery.warnings) ctx.warn(warning);
  return withSshKeys(discovery, null);
}

export function identitiesFor(ctx: Ctx, recipientHint?: string): Promise<FoundIdentities> {
  let discovery = found.get(ctx.io);
  if (discovery === undefined) {
    const ask: AskPassphrase = (question) => ctx.io.prompt(question, { hidden: true });
    discovery = unlockKeyFiles(discoverWarned(ctx, recipientHint), ask).then((d) => withSshKeys(d, ask));
    found.set(ctx.io, discovery);
  }
  return discovery;
}

function discoverWarned(ctx: Ctx, recipientHint: string | undefined): Discovery {
  const discovery = discoverIdentities(ctx.io, { recipientHint });
  for (const warning of discovery.warnings) ctx.warn(warning);
  return discovery;
}

/** The SSH keys as identities; their lines in `tried` say what happened when they were opened. */
function withSshKeys(discovery: Discovery, ask: AskPassphrase | null): FoundIdentities {
  const ssh = discovery.ssh.map((source) => ({ source, identity: new SshIdentity(source.label, source.file, source.publicKey, ask) }));
  return {
    identities: [...discovery.identities, ...ssh.map((s) => s.identity)],
    get tried() {
      const lines = [...discovery.tried];
      for (const { source, identity } of ssh) if (identity.outcome !== null) lines[source.triedIndex] = `${source.label}: an ${source.publicKey.type} key, ${identity.outcome}`;
      return lines;
    },
    warnings: discovery.warnings,
  };
}

/** The recipients of this user's own identities (to say "you", and to ask before removing them). */
export async function ownRecipients(ctx: Ctx): Promise<Set<Recipient>> {
  const { identities } = await identitiesFor(ctx);
  const out = new Set<Recipient>();
  for (const id of identities) {
    if (id instanceof SshIdentity) {
      out.add(id.recipient);
      continue;
    }
    const fast = x25519Identity(id)?.recipient;
    const text = fast ?? (await (await import('age-encryption')).identityToRecipient(id));
    const parsed = parseRecipient(text);
    if (parsed.ok) out.add(parsed.recipient);
  }
  return out;
}
