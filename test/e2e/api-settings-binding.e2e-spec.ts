import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { AppProcess } from '../utils/app-process.js';
import { freePort } from '../utils/free-port.js';
import { API_KEY, TestSystem } from '../utils/test-system.js';

/** Whether a TCP connection to host:port is accepted (false when refused). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`connecting to ${host}:${port} timed out`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(error);
    });
  });
}

/** An IPv4 address of this machine that is not loopback: where a remote client would connect. */
function externalAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new Error('this machine has no non-loopback IPv4 address to test binding with');
  return address;
}

/**
 * Runs a built app that should refuse to start and returns its output, checked to be a bad-settings report:
 * exit code 1, one message, no stack trace and no Nest log line.
 */
async function refusedStart(
  app: 'api' | 'worker',
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  const child = new AppProcess(app, args, env);
  const code = await Promise.race([
    child.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still running:\n${child.output}`)), 30_000).unref(),
    ),
  ]);
  expect(code).toBe(1);
  expect(child.output).toMatch(/^Invalid settings:\n/);
  expect(child.output).not.toMatch(/^\s+at /m);
  expect(child.output).not.toContain('[Nest]');
  return child.output;
}

describe('bad settings: one message listing every bad key, exit code 1', () => {
  it('API: every bad key with the value given, secrets masked', async () => {
    const output = await refusedStart('api', [], {
      PORT: 'abc',
      REDIS_URL: 'redis-ish://user:s3cret-pw@broker:6379',
      EMBEDDING_PROVIDER: 'magic',
      CHUNK_SIZE: 'big',
    });
    expect(output).toMatch(/PORT: must be an integer number.* \(got "abc"\)/);
    expect(output).toContain(
      'REDIS_URL: must start with redis:// or rediss:// (got "redis-ish://user:***@broker:6379")',
    );
    expect(output).toMatch(/EMBEDDING_PROVIDER: .*semantic.* \(got "magic"\)/);
    expect(output).toMatch(/CHUNK_SIZE: must be an integer number.* \(got "big"\)/);
    expect(output).not.toContain('s3cret-pw');
    expect(output).not.toContain('got null');
  });

  it('API: a non-loopback HOST without API_KEYS is refused', async () => {
    const output = await refusedStart('api', [], { HOST: '0.0.0.0', API_KEYS: '', PORT: '70000' });
    expect(output).toMatch(/HOST: must be a loopback address .*API_KEYS.* \(got "0\.0\.0\.0"\)/);
    expect(output).toMatch(/PORT: .*must not be greater than 65535 \(got "70000"\)/);
  });

  it('worker: its own, the broker, mail and document settings in one message', async () => {
    const output = await refusedStart('worker', ['worker'], {
      WORKER_CONCURRENCY: 'lots',
      REDIS_URL: 'foo',
      SMTP_URL: 'http://mailer:hunter2@smtp.example',
      EMBEDDING_API_KEY: 'sk-secret',
      EMBEDDING_PROVIDER: 'openai',
    });
    expect(output).toMatch(/WORKER_CONCURRENCY: must be an integer number.* \(got "lots"\)/);
    expect(output).toContain('(got "foo")');
    expect(output).toContain('(got "http://mailer:***@smtp.example")');
    expect(output).toMatch(/EMBEDDING_API_URL: is required when EMBEDDING_PROVIDER=openai \(got unset\)/);
    expect(output).not.toContain('hunter2');
  });

  it('control commands (inspect): the broker settings', async () => {
    const output = await refusedStart('worker', ['inspect', 'active'], {
      REDIS_URL: 'foo',
      TASK_TIME_LIMIT: 'soon',
    });
    expect(output).toContain('REDIS_URL: must start with redis:// or rediss:// (got "foo")');
    expect(output).toMatch(/TASK_TIME_LIMIT: must be an integer number.* \(got "soon"\)/);
  });
});

describe('where the API listens', () => {
  let system: TestSystem;
  let api: AppProcess | undefined;
  const external = externalAddress();

  beforeAll(async () => {
    system = await TestSystem.start({ noApi: true });
  }, 60_000);

  afterEach(async () => {
    await api?.stop('SIGKILL');
    api = undefined;
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function startApi(env: Record<string, string>): Promise<number> {
    const port = await freePort();
    api = new AppProcess('api', [], system.env({ PORT: String(port), ...env }));
    await api.waitForOutput(/listening on/);
    return port;
  }

  const health = async (host: string, port: number): Promise<number> =>
    (await fetch(`http://${host}:${port}/health`, { headers: { authorization: `Bearer ${API_KEY}` } }))
      .status;

  it('without API_KEYS: loopback only, and the log says the address truly bound', async () => {
    const port = await startApi({ API_KEYS: '' });
    expect(api?.text).toContain(`listening on http://127.0.0.1:${port} `);
    expect(await health('127.0.0.1', port)).toBe(200);
    expect(await accepts(external, port)).toBe(false);
  });

  it('with API_KEYS and no HOST: every interface', async () => {
    const port = await startApi({});
    expect(api?.text).toContain(`listening on http://0.0.0.0:${port} `);
    expect(await health(external, port)).toBe(200);
  });

  it('with API_KEYS and HOST: that interface only', async () => {
    const port = await startApi({ HOST: external });
    expect(api?.text).toContain(`listening on http://${external}:${port} `);
    expect(await health(external, port)).toBe(200);
    expect(await accepts('127.0.0.1', port)).toBe(false);
  });
});
