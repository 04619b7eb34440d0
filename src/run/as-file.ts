/**
 * `--as-file KEY[=NAME]` (README "Secrets as files"): which values go into files instead of
 * variables, and under which file name (`TLS_KEY=key.pem` for tools that look at the
 * extension; the key itself by default). Pure: parsing and checking only;
 * ops/secret-files.ts writes them.
 */
import { UsageError } from '../errors.js';

export interface AsFile {
  /** The variable whose value goes into the file; the variable then holds the file's path. */
  readonly key: string;
  /** The file's name inside the private folder. */
  readonly fileName: string;
}

/** Parses the flags, naming the first bad one; a key or file name given twice is an error. */
export function parseAsFiles(flags: readonly string[]): AsFile[] {
  const out: AsFile[] = [];
  for (const flag of flags) {
    const at = flag.indexOf('=');
    const key = at === -1 ? flag : flag.slice(0, at);
    const fileName = at === -1 ? flag : flag.slice(at + 1);
    if (key === '' || key.includes('\0')) throw bad(flag, 'name the variable: --as-file KEY or --as-file KEY=file.name');
    if (!isPlainFileName(fileName)) throw bad(flag, 'a file name is one name, without / or \\ (not . or ..), of at most 255 bytes');
    if (out.some((f) => f.key === key)) throw bad(flag, `${key} is named twice`);
    if (out.some((f) => f.fileName === fileName)) throw bad(flag, `two values cannot both go into ${fileName}`);
    out.push({ key, fileName });
  }
  return out;
}

function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name) && Buffer.byteLength(name) <= 255;
}

function bad(flag: string, why: string): UsageError {
  return new UsageError(`--as-file ${JSON.stringify(flag.length > 60 ? `${flag.slice(0, 57)}…` : flag)}: ${why}`, {
    hint: 'envseal run --as-file TLS_KEY=key.pem -- CMD',
  });
}
