// `node --import envseal/config app.js`: loads .env (or the comma-separated files in
// ENVSEAL_FILES) into process.env before the app starts. An entry point like bin/envseal.js:
// it turns an error into a message and an exit code.
import { config } from '../dist/index.js';
import { renderError } from '../dist/report.js';

try {
  const files = process.env.ENVSEAL_FILES;
  config({ path: files ? files.split(',').map((f) => f.trim()).filter(Boolean) : '.env' });
} catch (err) {
  process.stderr.write(renderError(err, process.cwd(), process.env.ENVSEAL_DEBUG === '1'));
  process.exit(typeof err?.exitCode === 'number' ? err.exitCode : 1);
}
