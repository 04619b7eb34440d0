// Test-only preload (node --import) for the kill and signal trials: counts envseal's
// filesystem calls (promise, callback and synchronous ones) and, when ENVSEAL_TEST_SIGNAL_AT="op:n:SIGNAL" is set, sends that signal
// to the process itself at the n-th call of op, before the call runs.
//  - ENVSEAL_TEST_COUNT_TO=file: at exit, writes { counts, writeStartedAt } there (JSON):
//    the calls per op, and the calls per op made before the first call that writes (an open
//    for writing, a write, rename, rm, …). Everything before it is start-up and reading
//    (readFileSync and require() open and close files too).
//  - ENVSEAL_TEST_FOLDERS_TO=file: appends every private folder made (mkdtemp) to that file.
//  - ENVSEAL_TEST_WRITE_DELAY_MS=n: from the first call that writes on, every call of
//    WRITE_OPS first waits n ms (a slow disk), and that first call prints
//    "signal-at: writing" on stderr, so a kill timed from that line lands inside the write.
import fs, { constants, promises as fsp } from 'node:fs';

// The preload's own file writes use the unwrapped functions (fs.appendFileSync and
// fs.writeFileSync call fs.openSync and fs.writeSync), so they never shift envseal's counts.
const raw = { openSync: fs.openSync, writeSync: fs.writeSync, closeSync: fs.closeSync };
function writeRaw(file, text, flags) {
  const fd = raw.openSync(file, flags);
  try {
    raw.writeSync(fd, text);
  } finally {
    raw.closeSync(fd);
  }
}

/** The calls a write is made of (the same list as kills.test.ts). */
const WRITE_OPS = new Set(['openSync', 'writeSync', 'closeSync', 'write', 'fchmod', 'fsync', 'rename', 'rm', 'rmSync', 'open', 'mkdtemp', 'link']);
/** Calls that always change something on disk (an open does only with write flags). */
const WRITING_CALLS = new Set(['writeSync', 'write', 'fchmod', 'fsync', 'rename', 'rm', 'rmSync', 'mkdtemp', 'link', 'handle.writeFile', 'handle.chmod']);
const WRITE_FLAGS = constants.O_WRONLY | constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_TRUNC;

function writes(op, args) {
  if (op === 'open' || op === 'openSync') {
    const flags = args[1];
    if (flags === undefined || flags === null) return false;
    return typeof flags === 'number' ? (flags & WRITE_FLAGS) !== 0 : !/^rs?$/.test(String(flags));
  }
  return WRITING_CALLS.has(op);
}

const [atOp, atCall, atSignal] = (process.env.ENVSEAL_TEST_SIGNAL_AT ?? '').split(':');
const writeDelayMs = Number(process.env.ENVSEAL_TEST_WRITE_DELAY_MS ?? 0);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const counts = {};
let writeStartedAt;

/** Counts a call; from the first call that writes on, plays the slow disk. */
function count(op, args) {
  if (writeStartedAt === undefined && writes(op, args)) {
    writeStartedAt = { ...counts };
    if (writeDelayMs > 0) raw.writeSync(2, 'signal-at: writing\n');
  }
  counts[op] = (counts[op] ?? 0) + 1;
  if (writeStartedAt !== undefined && writeDelayMs > 0 && WRITE_OPS.has(op)) Atomics.wait(sleeper, 0, 0, writeDelayMs);
}

async function checkpoint(op, args) {
  count(op, args);
  if (op !== atOp || counts[op] !== Number(atCall)) return;
  process.kill(process.pid, atSignal);
  // A caught signal is handled on a later turn of the event loop: give it that turn, so the
  // step is interrupted before it runs, as a signal arriving at that moment would.
  await new Promise((resolve) => setTimeout(resolve, 100));
}

function wrap(target, name, op = name) {
  const original = target[name];
  target[name] = async function (...args) {
    await checkpoint(op, args);
    return original.apply(this, args);
  };
}

function raiseNow(op, args) {
  count(op, args);
  // A signal during a synchronous call is handled at the next turn, as in life.
  if (op === atOp && counts[op] === Number(atCall)) process.kill(process.pid, atSignal);
}

/** Callback-style fs functions (what promisify wraps): keep their promisify symbols. */
function wrapCallback(name) {
  const original = fs[name];
  const wrapper = function (...args) {
    checkpoint(name, args).then(() => original.apply(this, args));
  };
  for (const key of Object.getOwnPropertySymbols(original)) wrapper[key] = original[key];
  fs[name] = wrapper;
}

function wrapSync(name) {
  const original = fs[name];
  fs[name] = function (...args) {
    raiseNow(name, args);
    return original.apply(this, args);
  };
}

for (const name of ['open', 'rename', 'readFile', 'mkdtemp', 'rm', 'stat', 'readdir', 'link']) wrap(fsp, name);
for (const name of ['write', 'fsync', 'fchmod']) wrapCallback(name);
for (const name of ['openSync', 'writeSync', 'closeSync', 'rmSync']) wrapSync(name);
const probe = await fsp.open('/dev/null', 'r');
const handleProto = Object.getPrototypeOf(probe);
await probe.close();
for (const name of ['writeFile', 'chmod', 'sync', 'close']) wrap(handleProto, name, `handle.${name}`);

const wrappedMkdtemp = fsp.mkdtemp;
fsp.mkdtemp = async function (...args) {
  const made = await wrappedMkdtemp.apply(this, args);
  if (process.env.ENVSEAL_TEST_FOLDERS_TO) writeRaw(process.env.ENVSEAL_TEST_FOLDERS_TO, `${made}\n`, 'a');
  return made;
};

if (process.env.ENVSEAL_TEST_COUNT_TO) {
  process.on('exit', () => writeRaw(process.env.ENVSEAL_TEST_COUNT_TO, JSON.stringify({ counts, writeStartedAt: writeStartedAt ?? counts }), 'w'));
}
