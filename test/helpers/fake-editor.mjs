// Test-only $EDITOR: adds one value to the file it is given (JSON or dotenv), like a person would.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv.at(-1);
const text = readFileSync(file, 'utf8');
const value = process.env.FAKE_EDITOR_VALUE ?? 'edited';
// Adding what is already there changes nothing, so a second run after a crash is a no-op.
if (!text.includes('"added"') && !text.includes('\nADDED=')) {
  writeFileSync(file, file.endsWith('.json') ? text.replace('{', `{\n  "added": ${JSON.stringify(value)},`) : `${text}ADDED=${value}\n`);
}
