// What `npm start` and `npm run dev` share: a local Redis (started here when none answers at REDIS_URL and
// redis-server is installed) and child processes whose output is prefixed with their label.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every process started by `run`, Redis included. */
export const children = [];

export function run(label, command, args) {
  // own process groups: a terminal's Ctrl-C reaches only the calling script, which shuts the rest down in order
  // the children write to a pipe, so they would choose JSON logs: on a terminal, ask them for the pretty ones
  const env = { ...process.env };
  if (!env.LOG_FORMAT && !env.LOG_FILE && process.stdout.isTTY) env.LOG_FORMAT = 'pretty';
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  const prefix = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) out.write(`[${label}] ${line}\n`);
    });
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  children.push(child);
  return child;
}

/** Resolves once `child` has exited (at once if it has). */
export const exited = (child) =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve),
  );

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

/** Makes sure a Redis answers at REDIS_URL, starting a local redis-server if need be; exits if it cannot. */
export async function ensureRedis() {
  if (await answers()) return;
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
