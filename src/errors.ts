/**
 * Typed errors. Every error envseal raises on purpose is an {@link EnvsealError}: it carries
 * the exit code of README "Exit codes", the file (and line) it is about, and a hint that says what
 * to do next. Messages never contain a secret value: callers pass key names and file paths,
 * never plaintext.
 */

/**
 * The exit-code table (README "Exit codes"): the only place these numbers are written down. The
 * help epilogue and the README's table are made from, or checked against, {@link EXIT_CODES}.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  config: 3,
  noIdentity: 4,
  integrity: 5,
  parse: 6,
  io: 7,
  /** `scan` findings, `status --check` violations. */
  findings: 8,
  /** `run`: the command exists but the system would not start it (as a shell reports it). */
  cannotExecute: 126,
  commandNotFound: 127,
} as const;

/** What each exit code means, in the order the help lists them. */
export const EXIT_CODES: ReadonlyArray<{ readonly code: number; readonly meaning: string }> = [
  { code: ExitCode.ok, meaning: 'success' },
  { code: ExitCode.internal, meaning: 'internal error (a bug: please report it)' },
  { code: ExitCode.usage, meaning: 'usage: unknown command or flag, missing argument' },
  { code: ExitCode.config, meaning: 'configuration: .sops.yaml, rules, recipients, required keys, a confirmation not given' },
  { code: ExitCode.noIdentity, meaning: 'no identity could open the file' },
  { code: ExitCode.integrity, meaning: 'integrity: MAC mismatch, tampered value or key' },
  { code: ExitCode.parse, meaning: 'a file that does not parse' },
  { code: ExitCode.io, meaning: 'cannot read or write a file' },
  { code: ExitCode.findings, meaning: 'a check found problems (scan, status --check)' },
  { code: ExitCode.cannotExecute, meaning: 'run: the command cannot be started' },
  { code: ExitCode.commandNotFound, meaning: 'run: the command was not found' },
];

/** A stable, machine-readable name for each kind of error (the library's `err.code`). */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'NO_RECIPIENTS'
  | 'BAD_RECIPIENT'
  | 'MISSING_KEYS'
  | 'NO_IDENTITY'
  | 'INTEGRITY'
  | 'MAC_MISMATCH'
  | 'PARSE'
  | 'IO'
  | 'CONFLICT'
  | 'CONFIRMATION'
  | 'RUN'
  | 'INTERNAL';

export interface ErrorDetails {
  /** The file the error is about, as the user named it (relative paths stay relative). */
  file?: string | undefined;
  /** 1-based line number inside {@link file}. */
  line?: number | undefined;
  /** One line telling the user what to do next. */
  hint?: string | undefined;
  /** Extra lines shown between the message and the hint (places looked at, say). */
  details?: readonly string[] | undefined;
  cause?: unknown;
}

export class EnvsealError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly hint: string | undefined;
  readonly details: readonly string[];

  constructor(code: ErrorCode, exitCode: number, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'EnvsealError';
    this.code = code;
    this.exitCode = exitCode;
    this.file = details.file;
    this.line = details.line;
    this.hint = details.hint;
    this.details = details.details ?? [];
  }

  /** Returns a copy of this error that names `file` (when it does not name one yet). */
  withFile(file: string): EnvsealError {
    if (this.file !== undefined) return this;
    const copy = Object.create(Object.getPrototypeOf(this) as object) as EnvsealError;
    Object.assign(copy, this, { file, message: this.message, stack: this.stack });
    return copy;
  }
}

export class UsageError extends EnvsealError {
  constructor(message: string, details?: ErrorDetails) {
    super('USAGE', ExitCode.usage, message, details);
  }
}

export class ConfigError extends EnvsealError {
  constructor(message: string, details?: ErrorDetails, code: ErrorCode = 'CONFIG') {
    super(code, ExitCode.config, message, details);
  }
}

export class NoIdentityError extends EnvsealError {
  /** Every place identity discovery looked, in order, with what it found there. */
  readonly tried: readonly string[];
  /** The recipients the file is encrypted to (named from the roster where known). */
  readonly recipients: readonly string[];
  constructor(message: string, tried: readonly string[], recipients: readonly string[], details?: ErrorDetails) {
    super('NO_IDENTITY', ExitCode.noIdentity, message, details);
    this.tried = tried;
    this.recipients = recipients;
  }
}

export class IntegrityError extends EnvsealError {
  constructor(message: string, details?: ErrorDetails, code: ErrorCode = 'INTEGRITY') {
    super(code, ExitCode.integrity, message, details);
  }
}

export class ParseError extends EnvsealError {
  constructor(message: string, details?: ErrorDetails) {
    super('PARSE', ExitCode.parse, message, details);
  }
}

export class IoError extends EnvsealError {
  constructor(message: string, details?: ErrorDetails, code: ErrorCode = 'IO') {
    super(code, ExitCode.io, message, details);
  }
}

/** How envseal words the errors the system reports for files: the one errno table. */
const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only filesystem',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'already exists',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
};

/** A system error in words (`permission denied`), or its code when the table lacks it. */
export function describeFsError(err: unknown): string {
  const code = errnoCode(err);
  return FS_REASONS[code] ?? (code === '' ? 'unexpected error' : code);
}

/** Turns a Node filesystem error into an IoError naming the file, with what to do about it. */
export function toIoError(err: unknown, action: string, file: string): IoError {
  return new IoError(`cannot ${action}: ${describeFsError(err)}`, { file, cause: err, hint: fsErrorHint(errnoCode(err), action, file) });
}

/** What a person can do about a filesystem error, when there is something to say. */
export function fsErrorHint(code: string, action: string, file: string): string | undefined {
  const writing = action !== 'read' && action !== 'inspect' && action !== 'list';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return writing
        ? `envseal writes a new file next to the old one and renames it into place, so it needs to write in ${parentFolder(file)}; the original is unchanged`
        : `check who may read it: ls -l ${file}`;
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free some space and try again; the original is unchanged';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'check the path';
    default:
      return undefined;
  }
}

/** The folder part of a path, without importing node:path into this pure module. */
function parentFolder(file: string): string {
  const cut = file.replace(/\/+$/, '').lastIndexOf('/');
  return cut <= 0 ? (cut === 0 ? '/' : '.') : file.slice(0, cut);
}

/** The `code` of a Node system error (ENOENT, EACCES…), or '' for anything else. */
export function errnoCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/** `run` could not start its command (exit 126 or 127, as a shell reports it). */
export class RunError extends EnvsealError {
  constructor(message: string, exitCode: number, details?: ErrorDetails) {
    super('RUN', exitCode, message, details);
  }
}

/** A bug in envseal: the message asks for a report. */
export class InternalError extends EnvsealError {
  constructor(message: string, details?: ErrorDetails) {
    super('INTERNAL', ExitCode.internal, message, details);
  }
}

export function isEnvsealError(err: unknown): err is EnvsealError {
  return err instanceof EnvsealError;
}
