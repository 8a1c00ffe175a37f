import type { Canvas } from '@app/tasks';
import { freePort } from '../../test/utils/free-port.js';
import { BenchProcess } from '../node-process.js';

/** Where one measurement runs: the shared private Redis, and a key prefix of its own. */
export interface BenchEnv {
  redisUrl: string;
  prefix: string;
  /** A scratch folder for this run (SQLite file, outbox…). */
  dir: string;
  /** Extra `node` flags for spawned processes (profiling). */
  nodeArgs: string[];
  /**
   * Ours only: `off` runs with task history, metrics and per-task log lines turned off (plain BullMQ has
   * none of them either way); the default is ours as shipped, all on.
   */
  observability?: 'off';
}

/** The queue every measurement uses, in both systems. */
export const BENCH_QUEUE = 'default';

/** One producer in the bench process: adds one no-op `x + y` task and answers its id. */
export interface Producer {
  add(x: number, y: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * What one batch of tasks queued at once left behind and when it ended (the workflows scenario): ours a
 * workflow, plain BullMQ the jobs of one `Queue.addBulk`.
 */
export interface Batch {
  /**
   * Waits until every task has finished and answers the epoch ms of the end, as recorded in Redis (ours: the
   * workflow's `done_at`; plain: the last job's `finishedOn`). Throws when a task failed, and (ours) when the result is not the one expected.
   */
  end(timeoutMs: number): Promise<number>;
  /** Its keys in Redis: each task's job hash and, for ours, the workflow's hash. */
  keys(): Promise<{ jobs: string[]; workflow?: string }>;
}

/** Queues `count` no-op tasks `tasks.add(i, 1)` in one go: ours as one workflow (a group), plain as one `addBulk`. */
export interface BatchProducer {
  /** Resolves once all of them are queued. */
  submit(count: number): Promise<Batch>;
  close(): Promise<void>;
}

/** Submits workflows built in code (a system that has them: ours). */
export interface WorkflowProducer {
  /** Resolves once the workflow is queued; the batch's `end` checks its final result against `expected`. */
  submit(canvas: Canvas, expected: unknown): Promise<Batch>;
  close(): Promise<void>;
}

/** An HTTP route that enqueues one task per request, served by a child process. */
export interface RestTarget {
  process: BenchProcess;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A system under test: ours (TaskClient, `codehubot worker`, our API) or plain BullMQ. */
export interface SystemUnderTest {
  readonly key: 'ours' | 'plain';
  readonly label: string;
  producer(env: BenchEnv): Promise<Producer>;
  /** A worker process consuming `BENCH_QUEUE`, started and ready to take jobs. */
  startWorker(env: BenchEnv, concurrency: number): Promise<BenchProcess>;
  /** An API process, listening. */
  startApi(env: BenchEnv): Promise<RestTarget>;
  /**
   * Processes that run beside a worker in the system as shipped, started before it in the processing
   * scenarios (ours: the API, where the task events are recorded into the history and the metrics).
   */
  startCompanions?(env: BenchEnv): Promise<BenchProcess[]>;
  /**
   * Waits until every task event written so far is in the system's history (ours) and answers when that
   * was (epoch ms); undefined for a system without one, or with it off.
   */
  historyRecordedAt?(env: BenchEnv): Promise<number | undefined>;
  /** A producer of batches in the bench process (the workflows scenario). */
  batchProducer(env: BenchEnv): Promise<BatchProducer>;
  /** Workflows of any shape, for the stored-size measurements; absent when the system has none. */
  workflowProducer?(env: BenchEnv): Promise<WorkflowProducer>;
}

/**
 * Starts an API process (`script` under dist/) on a free port, waits for `ready` in its output, and answers
 * the route the REST measurement calls: `POST /tasks/tasks.add` with `request`.
 */
export async function startRestTarget(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[],
  ready: RegExp,
  request: Pick<RestTarget, 'headers' | 'body'>,
): Promise<RestTarget> {
  const port = await freePort();
  const api = new BenchProcess(script, [], { ...env, PORT: String(port) }, nodeArgs);
  try {
    await api.waitForOutput(ready);
  } catch (error) {
    // a start that failed must not outlive the bench (it kept the bench process from exiting)
    await api.stop();
    throw error;
  }
  return { process: api, url: `http://127.0.0.1:${port}/tasks/tasks.add`, ...request };
}
