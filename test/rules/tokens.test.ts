/**
 * Well-known token formats (src/rules/tokens.ts): each rule finds its format and leaves a near
 * miss alone. Samples are assembled at run time, so no scanner (envseal's included) takes this
 * file for one holding credentials.
 */
import { describe, expect, it } from 'vitest';
import { findTokens, TOKEN_RULES } from '../../src/rules/tokens.js';

const rep = (c: string, n: number): string => c.repeat(n);
const mix = (n: number): string => Array.from({ length: n }, (_, i) => 'aZ3kQ9xP2m'[i % 10]).join('');
const BECH = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.toUpperCase();

/** rule id → [a line that holds its token, a line that must not match]. */
const SAMPLES: Readonly<Record<string, readonly [string, string]>> = {
  'private-key': [`key = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA${mix(20)}"`, 'if (text.startsWith("-----BEGIN PRIVATE KEY-----")) parse(text)'],
  'age-secret-key': [`SOPS_AGE_KEY=${'AGE-SECRET-KEY-'}1${Array.from({ length: 58 }, (_, i) => BECH[i % 32]).join('')}`, `${'AGE-SECRET-KEY-'}1SHORT`],
  'aws-access-key-id': [`aws_access_key_id = ${'AKIA'}${'Q7RZ2M4K6T3W5Y7B'}`, `aws_access_key_id = ${'AKIA'}IOSFODNN7${'EXAMPLE'}`],
  'github-token': [`token: ${'ghp_'}${mix(36)}`, `token: ${'ghp_'}${mix(20)}`],
  'gitlab-token': [`${'glpat-'}${mix(20)}`, `${'glpat-'}${mix(8)}`],
  'slack-token': [`${'xoxb-'}1234567890-${mix(24)}`, 'xoxb-short'],
  'slack-webhook': [`https://${'hooks.slack.com'}/services/T0123ABCD/B0123ABCD/${mix(24)}`, `https://${'hooks.slack.com'}/services/`],
  'stripe-live-key': [`${'sk_live_'}${mix(24)}`, `${'sk_test_'}${mix(24)}`],
  'npm-token': [`//registry.npmjs.org/:_authToken=${'npm_'}${mix(36)}`, `${'npm_'}${mix(10)}`],
  'pypi-token': [`password = ${'pypi-AgEIcHlwaS5vcmc'}${mix(60)}`, 'pypi-AgE'],
  'google-api-key': [`"apiKey": "${'AIza'}${mix(35)}"`, `"apiKey": "${'AIza'}${mix(20)}"`],
  'openai-api-key': [`OPENAI_API_KEY=${'sk-proj-'}${mix(24)}${'T3BlbkFJ'}${mix(24)}`, 'sk-proj-short'],
  'anthropic-api-key': [`${'sk-ant-'}api03-${mix(90)}`, `${'sk-ant-'}api03-${mix(10)}`],
  'sendgrid-api-key': [`${'SG.'}${mix(22)}.${mix(43)}`, `${'SG.'}${mix(10)}.${mix(10)}`],
  'azure-storage-key': [`DefaultEndpointsProtocol=https;AccountName=x;${'AccountKey='}${mix(86)}==;`, `${'AccountKey='}${mix(10)}`],
};

describe('token rules', () => {
  it('every rule has a sample here, a unique id and a description', () => {
    expect(TOKEN_RULES.map((r) => r.id).sort()).toEqual(Object.keys(SAMPLES).sort());
    expect(new Set(TOKEN_RULES.map((r) => r.id)).size).toBe(TOKEN_RULES.length);
    for (const r of TOKEN_RULES) expect(r.description.length, r.id).toBeGreaterThan(20);
  });

  for (const [id, [hit, miss]] of Object.entries(SAMPLES)) {
    it(`${id}: finds its format, not the near miss`, () => {
      expect(findTokens(hit).map((m) => m.rule.id)).toContain(id);
      expect(findTokens(miss).map((m) => m.rule.id)).not.toContain(id);
    });
  }

  it('reports the column, and every match on a line', () => {
    const id = `${'AKIA'}Q7RZ2M4K6T3W5Y7B`;
    const found = findTokens(`a=${id} b=${id}`);
    expect(found.map((m) => m.column)).toEqual([3, 3 + id.length + 3]);
  });

  it('a private key header followed by its body on the next line', () => {
    expect(findTokens('-----BEGIN OPENSSH PRIVATE KEY-----', `b3BlbnNzaC1rZXktdjEAAAAA${rep('A', 20)}`).map((m) => m.rule.id)).toEqual(['private-key']);
    expect(findTokens('-----BEGIN OPENSSH PRIVATE KEY-----', '')).toEqual([]);
  });

  it('leaves ordinary text alone', () => {
    for (const line of ['const port = 3000;', 'AKIA is a prefix', 'ghp_ tokens start like this', 'see https://hooks.slack.com/ docs']) expect(findTokens(line)).toEqual([]);
  });
});
