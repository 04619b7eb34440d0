/**
 * Identity discovery for operations: one synchronous walk over the sources (keys/discovery.ts),
 * then, on the asynchronous path, the passphrase-protected key files unlocked with a prompt.
 * Found once per Io (a passphrase is asked for at most once per command); warnings printed once.
 */
import { discoverIdentities, unlockKeyFiles, type Discovery } from '../keys/discovery.js';
import type { Host } from '../io/host.js';
import type { Ctx } from './context.js';
import { x25519Identity } from '../crypto/age-x25519.js';
import { parseRecipient, type Recipient } from '../keys/recipient.js';

const found = new WeakMap<Host, Promise<Discovery>>();

/** Synchronously: what `config()` can use (no prompt, so locked key files stay locked). */
export function identitiesNow(host: Host, warn: (message: string) => void, recipientHint?: string): Discovery {
  const discovery = discoverIdentities(host, { recipientHint });
  for (const warning of discovery.warnings) warn(warning);
  return discovery;
}

/** How long the guard lets SOPS_AGE_KEY_CMD run (it has no terminal to ask on). */
export const KEY_CMD_TIMEOUT_MS = 10_000;

/**
 * For the pre-commit guard, which must never wait for a person: no passphrase is asked
 * (locked key files stay locked) and SOPS_AGE_KEY_CMD runs with no terminal, for 10 s at most.
 */
export function identitiesWithoutPrompts(ctx: Ctx): Discovery {
  const discovery = discoverIdentities(ctx.io, { noPromptTimeoutMs: KEY_CMD_TIMEOUT_MS });
  for (const warning of discovery.warnings) ctx.warn(warning);
  return discovery;
}

export function identitiesFor(ctx: Ctx, recipientHint?: string): Promise<Discovery> {
  let discovery = found.get(ctx.io);
  if (discovery === undefined) {
    discovery = unlockKeyFiles(identitiesNow(ctx.io, ctx.warn, recipientHint), (question) => ctx.io.prompt(question, { hidden: true }));
    found.set(ctx.io, discovery);
  }
  return discovery;
}

/** The recipients of this user's own identities (to say "you", and to ask before removing them). */
export async function ownRecipients(ctx: Ctx): Promise<Set<Recipient>> {
  const { identities } = await identitiesFor(ctx);
  const out = new Set<Recipient>();
  for (const id of identities) {
    const fast = x25519Identity(id)?.recipient;
    const text = fast ?? (await (await import('age-encryption')).identityToRecipient(id));
    const parsed = parseRecipient(text);
    if (parsed.ok) out.add(parsed.recipient);
  }
  return out;
}
