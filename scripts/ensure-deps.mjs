// Installs the locked dependencies when node_modules is missing or older than package-lock.json, so that
// `npm start` and `npm test` work as the first commands on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log(
    '[setup] installing dependencies (npm ci; better-sqlite3 compiles from source, allow a few minutes)',
  );
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
