// `npm start`: the whole system on one machine — a local Redis (started here when none answers at REDIS_URL
// and redis-server is installed), the API, and one worker, on SQLite. Ctrl-C is a warm shutdown of all.
import { execSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

execSync('node scripts/ensure-deps.mjs', { stdio: 'inherit' });
console.log('[setup] building');
execSync('npm run --silent build', { stdio: 'inherit' });

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const host = redisUrl.hostname || '127.0.0.1';
const port = Number(redisUrl.port || 6379);

function answers() {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => socket.write('PING\r\n'));
    socket.setTimeout(1000);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/PONG|NOAUTH/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const children = [];
function run(label, command, args) {
  // own process groups: a terminal's Ctrl-C reaches only this script, which shuts the rest down in order
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env, detached: true });
  const prefix = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) out.write(`[${label}] ${line}\n`);
    });
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  children.push(child);
  return child;
}

if (!(await answers())) {
  const local = ['127.0.0.1', 'localhost', '::1'].includes(host);
  if (!local || spawnSync('redis-server', ['--version']).error) {
    console.error(
      `[setup] no Redis answers at ${redisUrl.href} and ${local ? 'redis-server is not installed' : 'it is not local'}.\n` +
        '        Install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_URL to a running Redis.',
    );
    process.exit(1);
  }
  mkdirSync('var/redis', { recursive: true });
  console.log(`[setup] starting redis-server on port ${port} (append-only file in var/redis)`);
  run('redis', 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    'var/redis',
    '--appendonly',
    'yes',
    '--save',
    '',
  ]);
  for (let i = 0; i < 100 && !(await answers()); i++) await sleep(100);
}

const api = run('api', process.execPath, ['dist/apps/api/main.js']);
const worker = run('worker', process.execPath, ['dist/apps/worker/main.js', 'worker']);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of [api, worker]) child.kill('SIGTERM');
  Promise.all(
    [api, worker].map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))),
  ).then(() => {
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
