import { parseArgs } from 'node:util';

/** Which measurements to run; all by default. */
export const SCENARIOS = ['enqueue', 'processing', 'processing-off', 'latency', 'rest', 'workflows'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  /** Tasks pre-filled, then processed by one worker process, per run. */
  tasks: number;
  /** Tasks enqueued per run, once with sequential awaits and once with `inFlight` promises in flight. */
  enqueueTasks: number;
  /** Runs of every measurement per system; medians are quoted. */
  repetitions: number;
  /** Worker concurrency, for both systems. */
  concurrency: number;
  /** Promises in flight for the concurrent enqueue and the pre-fill. */
  inFlight: number;
  /** Offered rate (tasks/s) and duration (s) of the latency measurement, after a warm-up. */
  rate: number;
  latencySeconds: number;
  warmupSeconds: number;
  /** autocannon connections and duration (s), after a warm-up of `warmupSeconds`. */
  connections: number;
  restSeconds: number;
  /** Tasks queued at once by the workflows scenario: ours one group of that many members, plain one addBulk. */
  groupTasks: number;
  scenarios: Scenario[];
  /** Markdown report path (relative to the repository), or undefined for none. */
  out: string | undefined;
  /** Extra `node` flags for the spawned worker and API processes of both systems (e.g. `--cpu-prof`). */
  nodeArgs: string[];
}

const USAGE = `npm run bench -- [flags]   (each flag also reads from the environment variable shown)
  --tasks N            tasks pre-filled and processed per run         BENCH_TASKS       [100000]
  --enqueue-tasks N    tasks enqueued per run and enqueue mode        BENCH_ENQUEUE     [10000]
  --reps N             runs per measurement and system (medians)      BENCH_REPS        [3]
  --concurrency N      worker concurrency                             BENCH_CONCURRENCY [10]
  --in-flight N        concurrent enqueue: promises in flight         BENCH_IN_FLIGHT   [50]
  --rate N             latency: tasks/s offered                       BENCH_RATE        [500]
  --latency-seconds S  latency: measured seconds                      BENCH_LATENCY_S   [10]
  --warmup-seconds S   warm-up before latency and REST runs           BENCH_WARMUP_S    [2]
  --connections N      REST: autocannon connections                   BENCH_CONNECTIONS [50]
  --rest-seconds S     REST: measured seconds                         BENCH_REST_S      [10]
  --group N            workflows: group members (plain: addBulk)      BENCH_GROUP       [10000]
  --only LIST          some of: ${SCENARIOS.join(',')}
                                                                      BENCH_ONLY        [all]
  --out PATH           Markdown report                                BENCH_OUT         [docs/BENCHMARKS.md]
  --no-docs            print only, write no report
  --node-args="FLAGS" extra node flags for spawned workers and APIs  BENCH_NODE_ARGS   []`;

function positive(name: string, raw: string | undefined, fallback: number, min = Number.MIN_VALUE): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

function scenarioList(raw: string | undefined): Scenario[] {
  if (!raw) return [...SCENARIOS];
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (bad.length)
    throw new Error(`unknown scenario(s) ${bad.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  return names as Scenario[];
}

/** Flags win over environment variables, which win over the defaults (a run of a few minutes). */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      tasks: { type: 'string' },
      'enqueue-tasks': { type: 'string' },
      reps: { type: 'string' },
      concurrency: { type: 'string' },
      'in-flight': { type: 'string' },
      rate: { type: 'string' },
      'latency-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      connections: { type: 'string' },
      'rest-seconds': { type: 'string' },
      group: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      'no-docs': { type: 'boolean' },
      'node-args': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number): number =>
    Math.round(positive(name, raw, fallback));
  const nodeArgs = values['node-args'] ?? env.BENCH_NODE_ARGS ?? '';
  return {
    tasks: int('--tasks', values.tasks ?? env.BENCH_TASKS, 100_000),
    enqueueTasks: int('--enqueue-tasks', values['enqueue-tasks'] ?? env.BENCH_ENQUEUE, 10_000),
    repetitions: int('--reps', values.reps ?? env.BENCH_REPS, 3),
    concurrency: int('--concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 10),
    inFlight: int('--in-flight', values['in-flight'] ?? env.BENCH_IN_FLIGHT, 50),
    rate: positive('--rate', values.rate ?? env.BENCH_RATE, 500),
    latencySeconds: positive('--latency-seconds', values['latency-seconds'] ?? env.BENCH_LATENCY_S, 10),
    warmupSeconds: positive('--warmup-seconds', values['warmup-seconds'] ?? env.BENCH_WARMUP_S, 2, 0),
    connections: int('--connections', values.connections ?? env.BENCH_CONNECTIONS, 50),
    restSeconds: positive('--rest-seconds', values['rest-seconds'] ?? env.BENCH_REST_S, 10),
    groupTasks: int('--group', values.group ?? env.BENCH_GROUP, 10_000),
    scenarios: scenarioList(values.only ?? env.BENCH_ONLY),
    out: values['no-docs'] ? undefined : (values.out ?? (env.BENCH_OUT || 'docs/BENCHMARKS.md')),
    nodeArgs: nodeArgs.split(/\s+/).filter(Boolean),
  };
}
