// `npm run dev`: the development loop. `tsc --watch` recompiles on every change; after each compile without
// errors the import aliases are rewritten (tsc-alias), the entry points written, and the API and one worker
// restarted (a local Redis is started once, as by `npm start`). Ctrl-C stops everything.
import { execFileSync, spawn } from 'node:child_process';
import { children, ensureRedis, exited, run } from './local-system.mjs';

execFileSync(process.execPath, ['scripts/ensure-deps.mjs'], { stdio: 'inherit' });
await ensureRedis();

/** Seconds a restarted process gets to finish its warm shutdown before it is killed. */
const RESTART_GRACE_MS = 5_000;
let apps = [];

async function restart() {
  await Promise.all(
    apps.map((child) => {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), RESTART_GRACE_MS);
      return exited(child).then(() => clearTimeout(kill));
    }),
  );
  execFileSync('node_modules/.bin/tsc-alias', ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/write-entrypoints.mjs'], { stdio: 'inherit' });
  apps = [
    run('api', process.execPath, ['dist/apps/api/main.js']),
    run('worker', process.execPath, ['dist/apps/worker/main.js', 'worker', '--beat']),
  ];
}

const tsc = spawn(
  'node_modules/.bin/tsc',
  ['-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let restarting = Promise.resolve();
tsc.stdout.on('data', (chunk) => {
  for (const line of chunk.toString().split('\n')) {
    if (!line.trim()) continue;
    process.stdout.write(`[tsc] ${line}\n`);
    // one restart at a time, in the order of the compiles
    if (/Found 0 errors\. Watching for file changes/.test(line)) restarting = restarting.then(restart);
  }
});

function stop() {
  tsc.kill('SIGTERM');
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map(exited)).then(() => process.exit(0));
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
