/**
 * Well-known credential formats (`scan`'s "token" finding): a short, focused list, each with
 * a stable rule id, chosen because the format itself says "this is a live credential" (a
 * fixed prefix and enough random characters that a match is almost never chance). Generic
 * rules ("a long random string after `password=`") are left out on purpose: they flood
 * reports, and envseal has something better for a team's own secrets (the values of its
 * encrypted files, `scan`'s "leak" finding).
 *
 * Matching never reports what matched: a finding carries the rule and the column only.
 * Pure.
 */

export interface TokenRule {
  /** Stable id (SARIF `ruleId`, baseline entries, `envseal:allow` reports). */
  readonly id: string;
  /** What it is, for people: "an AWS access key id". */
  readonly name: string;
  /** One sentence on the format (SARIF rule description, README). */
  readonly description: string;
  /** Substrings one of which a line must contain before the regex runs (cheap to test). */
  readonly keywords: readonly string[];
  /** Global, so every match of a line is found. */
  readonly regex: RegExp;
  /**
   * Whether a match is a credential after all: false for the placeholders vendors document
   * (`AKIAIOSFODNN7EXAMPLE`), and for a private key header with no key after it.
   */
  readonly confirm?: (match: string, rest: string, nextLine: string | undefined) => boolean;
}

const notExample = (match: string): boolean => !/EXAMPLE$/i.test(match);

/** A key block's body: base64 on the next line, or (an escaped newline) later on this one. */
function keyBodyFollows(_match: string, rest: string, nextLine: string | undefined): boolean {
  return /^(?:\\r)?\\n(?:[A-Za-z0-9+/=]{16,}|Proc-Type:|Comment:)/.test(rest) || /^\s*(?:"|')?\s*(?:[A-Za-z0-9+/=]{16,}|Proc-Type:|Comment:)/.test(nextLine ?? '');
}

export const TOKEN_RULES: readonly TokenRule[] = [
  {
    id: 'private-key',
    name: 'a private key',
    description: 'A PEM or OpenSSH private key block (`-----BEGIN … PRIVATE KEY-----` followed by the key).',
    keywords: ['PRIVATE KEY'],
    regex: /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/g,
    confirm: keyBodyFollows,
  },
  {
    id: 'age-secret-key',
    name: 'an age identity (secret key)',
    description: 'An age identity, `AGE-SECRET-KEY-1…` or the post-quantum `AGE-SECRET-KEY-PQ-1…`: it opens every file encrypted to its recipient.',
    keywords: ['AGE-SECRET-KEY-'],
    regex: /AGE-SECRET-KEY-(?:PQ-)?1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58,}/g,
  },
  {
    id: 'aws-access-key-id',
    name: 'an AWS access key id',
    description: 'An AWS access key id (`AKIA`/`ASIA`… and 16 characters); its secret key is usually nearby. AWS documentation examples ending in EXAMPLE are ignored.',
    keywords: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'],
    regex: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b/g,
    confirm: notExample,
  },
  {
    id: 'github-token',
    name: 'a GitHub token',
    description: 'A GitHub personal access, OAuth, app or refresh token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`).',
    keywords: ['gh', 'github_pat_'],
    regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{82})\b/g,
  },
  {
    id: 'gitlab-token',
    name: 'a GitLab token',
    description: 'A GitLab personal, deploy, runner or pipeline-trigger token (`glpat-`, `gldt-`, `glrt-`, `glptt-`, …).',
    keywords: ['gl'],
    regex: /\b(?:gl(?:pat|dt|rt|soat|cbt|ft)-[A-Za-z0-9_-]{20,}|glptt-[0-9a-f]{40})/g,
  },
  {
    id: 'slack-token',
    name: 'a Slack token',
    description: 'A Slack bot, user, app or refresh token (`xoxb-`, `xoxp-`, `xapp-`, …).',
    keywords: ['xox', 'xapp-'],
    regex: /\b(?:xox[baprse]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,})/g,
  },
  {
    id: 'slack-webhook',
    name: 'a Slack incoming webhook URL',
    description: 'A Slack incoming webhook (`https://hooks.slack.com/services/T…/B…/…`): anyone holding it can post to the channel.',
    keywords: ['hooks.slack.com'],
    regex: /hooks\.slack\.com\/(?:services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}|workflows\/[A-Za-z0-9/]{30,})/g,
  },
  {
    id: 'stripe-live-key',
    name: 'a Stripe live key',
    description: 'A Stripe live secret or restricted key (`sk_live_`, `rk_live_`); test keys are not reported.',
    keywords: ['_live_'],
    regex: /\b[sr]k_live_[A-Za-z0-9]{20,}\b/g,
  },
  {
    id: 'npm-token',
    name: 'an npm access token',
    description: 'An npm access token (`npm_` and 36 characters).',
    keywords: ['npm_'],
    regex: /\bnpm_[A-Za-z0-9]{36}\b/g,
  },
  {
    id: 'pypi-token',
    name: 'a PyPI API token',
    description: 'A PyPI upload token (`pypi-AgEIcHlwaS5vcmc…`).',
    keywords: ['pypi-AgEIcHlwaS5vcmc'],
    regex: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g,
  },
  {
    id: 'google-api-key',
    name: 'a Google API key',
    description: 'A Google Cloud / Firebase API key (`AIza` and 35 characters).',
    keywords: ['AIza'],
    regex: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
  },
  {
    id: 'openai-api-key',
    name: 'an OpenAI API key',
    description: 'An OpenAI API key (`sk-…T3BlbkFJ…`, project and service-account keys included).',
    keywords: ['T3BlbkFJ'],
    regex: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}/g,
  },
  {
    id: 'anthropic-api-key',
    name: 'an Anthropic API key',
    description: 'An Anthropic API key (`sk-ant-api03-…`, `sk-ant-admin01-…`).',
    keywords: ['sk-ant-'],
    regex: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}/g,
  },
  {
    id: 'sendgrid-api-key',
    name: 'a SendGrid API key',
    description: 'A SendGrid API key (`SG.` and two random parts).',
    keywords: ['SG.'],
    regex: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
  },
  {
    id: 'azure-storage-key',
    name: 'an Azure storage account key',
    description: 'An Azure storage account key in a connection string (`AccountKey=` and 88 base64 characters).',
    keywords: ['AccountKey='],
    regex: /AccountKey=[A-Za-z0-9+/]{86}==/g,
  },
];

/** One token found: the rule and where (1-based column); never the text. */
export interface TokenMatch {
  readonly rule: TokenRule;
  readonly column: number;
}

/** The tokens in one line (`nextLine`: the line after it, for rules that look ahead). */
export function findTokens(line: string, nextLine?: string): TokenMatch[] {
  const out: TokenMatch[] = [];
  for (const rule of TOKEN_RULES) {
    if (!rule.keywords.some((k) => line.includes(k))) continue;
    for (const m of line.matchAll(rule.regex)) {
      const at = m.index;
      if (rule.confirm !== undefined && !rule.confirm(m[0], line.slice(at + m[0].length), nextLine)) continue;
      out.push({ rule, column: at + 1 });
    }
  }
  return out;
}

export function tokenRule(id: string): TokenRule | undefined {
  return TOKEN_RULES.find((r) => r.id === id);
}
