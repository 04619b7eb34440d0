/**
 * `envseal scan`'s reports: text for people (grouped by file), JSON, and SARIF 2.1.0 (what
 * GitHub code scanning accepts), with a description of every rule. No report holds a value:
 * findings carry names, places and keyed fingerprints only (ops/scan-findings.ts).
 */
import type { ScanResult } from '../../ops/scan.js';
import { SCAN_RULES, scanRule, type Finding } from '../../ops/scan-findings.js';
import { count, printable } from '../../text.js';
import { VERSION } from '../../version.js';

/** Text for people: each file once, its findings under it, what to do under each. */
export function textReport(result: ScanResult): string {
  const lines: string[] = [];
  let file: string | null = null;
  for (const f of result.findings) {
    if (f.file !== file) {
      file = f.file;
      lines.push(printable(f.file));
    }
    const where = `${f.line}${f.column === undefined ? '' : `:${f.column}`}`;
    lines.push(`  ${where.padEnd(7)} ${f.kind}: ${printable(f.message)} [${f.rule}]`);
    if (f.commit !== undefined) lines.push(`          in ${f.commit.commit.slice(0, 10)} ${f.commit.date} ${printable(f.commit.author)} <${printable(f.commit.email)}>: ${printable(f.commit.subject)}`);
    lines.push(`          -> ${printable(f.remedy)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The closing lines on stderr: what was scanned, what was accepted, what to do. */
export function summaryLines(result: ScanResult): string[] {
  const out: string[] = [];
  const where = result.mode === 'history' ? count(result.scannedCommits ?? 0, 'commit') : result.mode === 'staged' ? `${count(result.scannedFiles, 'staged file')}` : count(result.scannedFiles, 'file');
  if (result.skipped.length > 0) {
    const names = result.skipped.slice(0, 5).join(', ') + (result.skipped.length > 5 ? ', …' : '');
    out.push(`envseal: the value check was skipped for ${count(result.skipped.length, 'encrypted file')} no identity here opens (${names}): their values were not looked for`);
  }
  if (result.tooLarge.length > 0) out.push(`envseal: passed over ${count(result.tooLarge.length, 'file')} larger than 10 MiB: ${result.tooLarge.join(', ')}`);
  const accepted = [
    ...(result.allowed > 0 ? [`${result.allowed} on lines marked envseal:allow`] : []),
    ...(result.baselined.length > 0 ? [`${result.baselined.length} in the baseline`] : []),
  ];
  const acceptedText = accepted.length === 0 ? '' : ` (accepted: ${accepted.join(', ')})`;
  if (result.findings.length === 0) {
    out.push(`envseal: scan clean: ${where}, no finding${acceptedText}`);
    return out;
  }
  const files = new Set(result.findings.map((f) => f.file)).size;
  out.push(`envseal: ${count(result.findings.length, 'finding')} in ${count(files, 'file')} (${where} scanned)${acceptedText}`);
  if (result.mode === 'history') {
    out.push('  A value in history stays readable to everyone who has the repository: rotate it. Accept what you have dealt with: envseal scan --history --update-baseline');
  } else {
    out.push(`  For each: encrypt the file, remove the value, or accept it on purpose (an envseal:allow comment on its line, or envseal scan${result.mode === 'staged' ? ' --staged' : ''} --update-baseline).`);
  }
  return out;
}

export function jsonReport(result: ScanResult): string {
  const doc = {
    envseal_scan: 1,
    mode: result.mode,
    findings: result.findings,
    accepted: { allowed: result.allowed, baseline: result.baselined.length },
    skipped: result.skipped,
    scanned: result.mode === 'history' ? { commits: result.scannedCommits } : { files: result.scannedFiles },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** SARIF 2.1.0: one run, every rule described, a result per finding (paths relative to the work tree). */
export function sarifReport(result: ScanResult): string {
  const rules = SCAN_RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: r.name },
    fullDescription: { text: r.description },
    help: { text: `${r.description} Accept a finding on purpose with an envseal:allow comment on its line or a baseline (envseal scan --update-baseline).` },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'secrets', r.kind] },
  }));
  const index = new Map(SCAN_RULES.map((r, i) => [r.id, i]));
  const notes = summaryLines(result).filter((l) => l.includes('skipped') || l.includes('passed over'));
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'envseal', version: VERSION, semanticVersion: VERSION, rules } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: notes.map((text) => ({ level: 'warning', message: { text: text.replace(/^envseal: /, '') } })),
          },
        ],
        results: result.findings.map((f) => sarifResult(f, index.get(f.rule) ?? -1)),
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function sarifResult(f: Finding, ruleIndex: number): Record<string, unknown> {
  const region: Record<string, number> = { startLine: f.line };
  if (f.column !== undefined) region['startColumn'] = f.column;
  const history = f.commit === undefined ? '' : ` (added in ${f.commit.commit.slice(0, 10)}, ${f.commit.date})`;
  return {
    ruleId: f.rule,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    kind: 'fail',
    level: 'error',
    message: { text: `${scanRule(f.rule)?.kind ?? f.kind}: ${f.message}${history}. ${f.remedy}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: f.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' }, region } }],
    partialFingerprints: { 'envseal/v1': f.fingerprint },
    properties: {
      kind: f.kind,
      ...(f.secret === undefined ? {} : { secretFile: f.secret.file, secretKey: f.secret.key }),
      ...(f.form === undefined ? {} : { form: f.form }),
      ...(f.commit === undefined ? {} : { commit: f.commit.commit, author: f.commit.author, date: f.commit.date }),
    },
  };
}
