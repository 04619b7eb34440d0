// Test-only preload (node --import) for the kill and signal trials: counts envseal's
// filesystem calls (promise, callback and synchronous ones) and, when ENVSEAL_TEST_SIGNAL_AT="op:n:SIGNAL" is set, sends that signal
// to the process itself at the n-th call of op, before the call runs. With
// ENVSEAL_TEST_COUNT_TO=file it writes the counts there at exit (JSON). With
// ENVSEAL_TEST_FOLDERS_TO=file it appends every private folder made (mkdtemp) to that file.
import fs, { appendFileSync, promises as fsp, writeFileSync } from 'node:fs';

const [atOp, atCall, atSignal] = (process.env.ENVSEAL_TEST_SIGNAL_AT ?? '').split(':');
const counts = {};

async function checkpoint(op) {
  counts[op] = (counts[op] ?? 0) + 1;
  if (op !== atOp || counts[op] !== Number(atCall)) return;
  process.kill(process.pid, atSignal);
  // A caught signal is handled on a later turn of the event loop: give it that turn, so the
  // step is interrupted before it runs, as a signal arriving at that moment would.
  await new Promise((resolve) => setTimeout(resolve, 100));
}

function wrap(target, name, op = name) {
  const original = target[name];
  target[name] = async function (...args) {
    await checkpoint(op);
    return original.apply(this, args);
  };
}

function raiseNow(op) {
  counts[op] = (counts[op] ?? 0) + 1;
  // A signal during a synchronous call is handled at the next turn, as in life.
  if (op === atOp && counts[op] === Number(atCall)) process.kill(process.pid, atSignal);
}

/** Callback-style fs functions (what promisify wraps): keep their promisify symbols. */
function wrapCallback(name) {
  const original = fs[name];
  const wrapper = function (...args) {
    checkpoint(name).then(() => original.apply(this, args));
  };
  for (const key of Object.getOwnPropertySymbols(original)) wrapper[key] = original[key];
  fs[name] = wrapper;
}

function wrapSync(name) {
  const original = fs[name];
  fs[name] = function (...args) {
    raiseNow(name);
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

const originalMkdtemp = fsp.mkdtemp;
fsp.mkdtemp = async function (...args) {
  const made = await originalMkdtemp.apply(this, args);
  if (process.env.ENVSEAL_TEST_FOLDERS_TO) appendFileSync(process.env.ENVSEAL_TEST_FOLDERS_TO, `${made}\n`);
  return made;
};

if (process.env.ENVSEAL_TEST_COUNT_TO) {
  process.on('exit', () => writeFileSync(process.env.ENVSEAL_TEST_COUNT_TO, JSON.stringify(counts)));
}
