import { ALL_TASKS, type WorkerInfo } from '@app/tasks';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from './app-process.js';
import type { TestSystem } from './test-system.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Start-up on a loaded CI machine (several suites spawning Nest apps at once) can take a while. */
export const STARTUP_TIMEOUT_MS = 90_000;

/** Jest timeout of these suites' hooks and tests: several app start-ups and long tasks on a shared machine. */
export const E2E_TIMEOUT_MS = 300_000;

/** A `GET /workers` entry: the library's own heartbeat type. */
export type WorkerView = WorkerInfo;

/** Every task a worker registers: the whole catalogue. */
export const REGISTERED_TASKS = ALL_TASKS.map((task) => task.name).sort();

/**
 * `codehubot worker …` of this system, like `system.startWorker` but with a start-up timeout that suits a busy
 * machine; it joins `system.workers`, so `system.stop()` ends it.
 */
export async function startWorker(
  system: TestSystem,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const worker = new AppProcess('worker', ['worker', ...args], system.env(env));
  system.workers.push(worker);
  await worker.waitForOutput(/consuming \[/, STARTUP_TIMEOUT_MS);
  return worker;
}

/** Polls until `probe` returns something other than undefined/false; fails naming `what` on timeout. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

export async function listWorkers(system: TestSystem): Promise<WorkerView[]> {
  const answer = await system.request<WorkerView[]>('GET', '/workers');
  if (answer.status !== 200) throw new Error(`GET /workers answered ${answer.status}`);
  return answer.body;
}

/** The `GET /workers` entry of the worker process with this pid, once its heartbeat satisfies `until`. */
export function waitForWorker(
  system: TestSystem,
  pid: number,
  until: (worker: WorkerView) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<WorkerView> {
  return waitFor(
    `worker ${pid} in GET /workers`,
    async () => (await listWorkers(system)).find((w) => w.pid === pid && until(w)),
    timeoutMs,
    250,
  );
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/apps/worker/main.js <args>` (the `codehubot` command line) against this system. */
export function runCli(
  system: TestSystem,
  args: string[],
  timeoutMs = STARTUP_TIMEOUT_MS,
): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(ROOT, 'dist/apps/worker/main.js'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...system.env() },
        timeout: timeoutMs,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
