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
}

/** The queue every measurement uses, in both systems. */
export const BENCH_QUEUE = 'default';

/** One producer in the bench process: adds one no-op `x + y` task and answers its id. */
export interface Producer {
  add(x: number, y: number): Promise<string>;
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
  await api.waitForOutput(ready);
  return { process: api, url: `http://127.0.0.1:${port}/tasks/tasks.add`, ...request };
}
