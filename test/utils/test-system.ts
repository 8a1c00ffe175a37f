import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskStatus } from '@app/tasks';
import { AppProcess } from './app-process.js';
import { freePort } from './free-port.js';
import { checkAnswer, OpenApiContract } from './openapi-validator.js';
import { TestRedis, type TestRedisOptions } from './redis-server.js';

export const API_KEY = 'test-key-1';

/** What `GET /tasks/{id}` answers: the library's own status type. */
export type TaskStatusBody = TaskStatus;

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface SystemOptions {
  redis?: TestRedisOptions;
  /** Extra environment for both apps (e.g. TASK_SOFT_TIME_LIMIT). */
  env?: Record<string, string>;
  /** Start no API (worker-only tests). */
  noApi?: boolean;
}

/**
 * The whole system for one test file: a private redis-server, a unique queue prefix, a temporary SQLite file
 * and data folder, the built API on a free port, and any number of workers started on demand.
 */
export class TestSystem {
  readonly prefix = `test-${randomUUID().slice(0, 8)}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'codehubot-e2e-'));
  redis!: TestRedis;
  api: AppProcess | undefined;
  apiPort = 0;
  readonly workers: AppProcess[] = [];
  /** The running API's OpenAPI document, fetched once per API process: every answer is checked against it. */
  private contract: Promise<OpenApiContract> | undefined;

  private constructor(private readonly options: SystemOptions) {}

  static async start(options: SystemOptions = {}): Promise<TestSystem> {
    const system = new TestSystem(options);
    try {
      system.redis = await TestRedis.start(options.redis);
      if (!options.noApi) await system.startApi();
    } catch (error) {
      // the caller never gets the system to stop: leave no redis-server or API process behind
      await system.stop();
      throw error;
    }
    return system;
  }

  /** The environment every app of this system gets. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: this.redis.url,
      QUEUE_PREFIX: this.prefix,
      DATABASE_URL: `sqlite:${join(this.dir, 'db.sqlite')}`,
      MAIL_OUTBOX_DIR: join(this.dir, 'outbox'),
      API_KEYS: API_KEY,
      TASK_DEFAULT_RETRY_DELAY: '1',
      ...this.options.env,
      ...extra,
    };
  }

  async startApi(extra: Record<string, string> = {}): Promise<AppProcess> {
    this.apiPort = await freePort();
    this.api = new AppProcess('api', [], this.env({ PORT: String(this.apiPort), ...extra }));
    this.contract = undefined;
    await this.api.waitForOutput(/listening on/);
    return this.api;
  }

  /** Starts `codehubot worker` with the given flags and waits until it consumes. */
  async startWorker(args: string[] = [], extra: Record<string, string> = {}): Promise<AppProcess> {
    const worker = new AppProcess('worker', ['worker', ...args], this.env(extra));
    this.workers.push(worker);
    await worker.waitForOutput(/consuming \[/);
    return worker;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /**
   * `fetch` on the API (no key added), the answer checked against the API's OpenAPI document first: an answer
   * the document does not declare fails the test. A `text/event-stream` body is left to the caller, unread.
   */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, init);
    if (!OpenApiContract.describesItself(path)) {
      await checkAnswer(await this.openApi(), init.method ?? 'GET', path, response);
    }
    return response;
  }

  /** The running API's OpenAPI document, fetched from `/docs-json` once per API process. */
  openApi(): Promise<OpenApiContract> {
    this.contract ??= OpenApiContract.fetch(this.baseUrl).catch((error: unknown) => {
      this.contract = undefined;
      throw error;
    });
    return this.contract;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    const response = await this.fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body:
        body === undefined
          ? undefined
          : typeof body === 'string' || body instanceof Uint8Array
            ? body
            : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** `POST /tasks/{name}`; asserts nothing, returns the answer. */
  submit(
    name: string,
    body: Record<string, unknown> = {},
  ): Promise<HttpAnswer<{ task_id: string; state: string; status_url: string }>> {
    return this.request('POST', `/tasks/${name}`, body);
  }

  status(id: string): Promise<HttpAnswer<TaskStatusBody>> {
    return this.request<TaskStatusBody>('GET', `/tasks/${id}`);
  }

  /** Polls `GET /tasks/{id}` until the state is one of `states`; fails with the last answer on timeout. */
  async waitForState(id: string, states: string | string[], timeoutMs = 15_000): Promise<TaskStatusBody> {
    const wanted = Array.isArray(states) ? states : [states];
    const deadline = Date.now() + timeoutMs;
    let last: HttpAnswer<TaskStatusBody> | undefined;
    while (Date.now() < deadline) {
      last = await this.status(id);
      if (last.status === 200 && wanted.includes(last.body.state)) return last.body;
      await sleep(50);
    }
    throw new Error(
      `task ${id} never reached ${wanted.join('/')}; last answer: ${JSON.stringify(last?.body)}`,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop('SIGKILL')));
    await this.api?.stop('SIGKILL');
    await this.redis?.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
