import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export interface TestRedisOptions {
  /** Append-only file, fsync every write: what a deployment that must lose nothing runs. */
  aof?: boolean;
  /** More redis-server arguments, after ours (e.g. `['--maxmemory-policy', 'allkeys-lru']`). */
  extraArgs?: string[];
}

/**
 * A private redis-server on a free port, for one test file: isolated, and the only way to test a restart.
 * Fails loudly when redis-server is missing; there is no silent fallback.
 */
export class TestRedis {
  private process: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'codehubot-redis-'));
  port = 0;

  constructor(private readonly options: TestRedisOptions = {}) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: TestRedisOptions = {}): Promise<TestRedis> {
    const redis = new TestRedis(options);
    redis.port = await freePort();
    await redis.launch();
    return redis;
  }

  private async launch(): Promise<void> {
    if (spawnSync('redis-server', ['--version']).error) {
      throw new Error(
        'redis-server is not installed: install it (apt-get install redis-server) to run these tests',
      );
    }
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir];
    args.push('--appendonly', this.options.aof ? 'yes' : 'no');
    if (this.options.aof) args.push('--appendfsync', 'always');
    args.push(...(this.options.extraArgs ?? []));
    this.process = spawn('redis-server', args, { stdio: 'ignore' });
    const client = new Redis({ port: this.port, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    for (let i = 0; i < 100; i++) {
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        await sleep(50);
      }
    }
    client.disconnect();
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** A client for assertions; the caller disconnects it. */
  client(): Redis {
    return new Redis({ port: this.port, maxRetriesPerRequest: null });
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Stops and starts again on the same port and data folder (with AOF, the data survives). */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs) await sleep(downMs);
    await this.launch();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
