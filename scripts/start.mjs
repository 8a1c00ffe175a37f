// `npm start`: the whole system on one machine — a local Redis (started here when none answers at REDIS_URL
// and redis-server is installed), the API, and one worker with beat, on SQLite. Ctrl-C is a warm shutdown of all.
import { execSync } from 'node:child_process';
import { children, ensureRedis, exited, run } from './local-system.mjs';

execSync('node scripts/ensure-deps.mjs', { stdio: 'inherit' });
console.log('[setup] building');
execSync('npm run --silent build', { stdio: 'inherit' });
await ensureRedis();

const api = run('api', process.execPath, ['dist/apps/api/main.js']);
const worker = run('worker', process.execPath, ['dist/apps/worker/main.js', 'worker', '--beat']);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of [api, worker]) child.kill('SIGTERM');
  Promise.all([api, worker].map(exited)).then(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    process.exit(0);
  });
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of [api, worker])
  child.once(
    'exit',
    (code) => !stopping && (console.error(`[setup] a process exited (${code}); stopping`), stop()),
  );
