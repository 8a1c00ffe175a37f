import type { BenchOptions } from './options.js';
import type { EnqueueResult } from './scenarios/enqueue.js';
import type { LatencyResult } from './scenarios/latency.js';
import type { ProcessingResult } from './scenarios/processing.js';
import type { RestResult } from './scenarios/rest.js';
import type { StoredSize, WorkflowsResult } from './scenarios/workflows.js';
import { median, ratio } from './stats.js';

/** Everything measured for one system in one repetition; a scenario left out stays undefined. */
export interface RunResult {
  enqueue?: EnqueueResult;
  processing?: ProcessingResult;
  /** Processing with ours's history, metrics and per-task logs off (plain: the same as `processing`). */
  processingOff?: ProcessingResult;
  latency?: LatencyResult;
  rest?: RestResult;
  workflows?: WorkflowsResult;
}

export interface Results {
  ours: RunResult[];
  plain: RunResult[];
}

interface Target {
  text: string;
  met(ours: number, ratio: number): boolean;
}

export interface Metric {
  label: string;
  unit: string;
  digits: number;
  pick(run: RunResult): number | undefined;
  target?: Target;
}

/** The reported metrics; labels carry the parameters they were measured with. */
export function metrics(o: BenchOptions): Metric[] {
  const at = `at ${o.rate}/s`;
  const batch = `${o.groupTasks.toLocaleString('en-US')} tasks at once`;
  return [
    {
      label: `processing, 1 worker process, concurrency ${o.concurrency}`,
      unit: 'tasks/s',
      digits: 0,
      pick: (r) => r.processing?.tasksPerSec,
      target: { text: '≥ 0.85× plain (history, metrics, logs on)', met: (_, x) => x >= 0.85 },
    },
    { label: 'worker CPU per task', unit: 'µs', digits: 0, pick: (r) => r.processing?.cpuMicrosPerTask },
    {
      label: 'API CPU per task processed (records the task events)',
      unit: 'µs',
      digits: 0,
      pick: (r) => r.processing?.companionCpuMicrosPerTask,
    },
    {
      label: 'history complete after the last task ended',
      unit: 'ms',
      digits: 0,
      pick: (r) => r.processing?.historyLagMs,
    },
    {
      label: 'Redis CPU per task processed',
      unit: 'µs',
      digits: 0,
      pick: (r) => r.processing?.redis.cpuMicrosPer,
    },
    {
      label: 'Redis commands per task processed',
      unit: 'calls',
      digits: 1,
      pick: (r) => r.processing?.redis.callsPer,
    },
    {
      label: `processing, history, metrics and per-task logs off, concurrency ${o.concurrency}`,
      unit: 'tasks/s',
      digits: 0,
      pick: (r) => r.processingOff?.tasksPerSec,
      target: { text: '≥ 0.9× plain', met: (_, x) => x >= 0.9 },
    },
    {
      label: 'worker CPU per task, observability off',
      unit: 'µs',
      digits: 0,
      pick: (r) => r.processingOff?.cpuMicrosPerTask,
    },
    {
      label: 'Redis commands per task processed, observability off',
      unit: 'calls',
      digits: 1,
      pick: (r) => r.processingOff?.redis.callsPer,
    },
    { label: 'enqueue, sequential awaits', unit: 'tasks/s', digits: 0, pick: (r) => r.enqueue?.sequential },
    {
      label: `enqueue, ${o.inFlight} in flight`,
      unit: 'tasks/s',
      digits: 0,
      pick: (r) => r.enqueue?.concurrent,
    },
    {
      label: `producer CPU per task, ${o.inFlight} in flight`,
      unit: 'µs',
      digits: 0,
      pick: (r) => r.enqueue?.cpuMicrosPerTask,
    },
    { label: 'Redis CPU per task added', unit: 'µs', digits: 0, pick: (r) => r.enqueue?.redis.cpuMicrosPer },
    {
      label: 'Redis commands per task added',
      unit: 'calls',
      digits: 1,
      pick: (r) => r.enqueue?.redis.callsPer,
    },
    { label: `enqueue→start p50 ${at}`, unit: 'ms', digits: 1, pick: (r) => r.latency?.start.p50 },
    { label: `enqueue→start p90 ${at}`, unit: 'ms', digits: 1, pick: (r) => r.latency?.start.p90 },
    {
      label: `enqueue→start p99 ${at}`,
      unit: 'ms',
      digits: 1,
      pick: (r) => r.latency?.start.p99,
      target: { text: '≤ 15 ms', met: (ours) => ours <= 15 },
    },
    { label: `enqueue→done p50 ${at}`, unit: 'ms', digits: 1, pick: (r) => r.latency?.done.p50 },
    { label: `enqueue→done p90 ${at}`, unit: 'ms', digits: 1, pick: (r) => r.latency?.done.p90 },
    { label: `enqueue→done p99 ${at}`, unit: 'ms', digits: 1, pick: (r) => r.latency?.done.p99 },
    {
      label: `rate offered (target ${o.rate}/s)`,
      unit: 'tasks/s',
      digits: 0,
      pick: (r) => r.latency?.offered,
    },
    {
      label: `REST enqueue, ${o.connections} connections`,
      unit: 'req/s',
      digits: 0,
      pick: (r) => r.rest?.reqPerSec,
      target: { text: '≥ bare route', met: (_, x) => x >= 1 },
    },
    { label: 'REST latency p50', unit: 'ms', digits: 1, pick: (r) => r.rest?.p50Ms },
    { label: 'REST latency p99', unit: 'ms', digits: 1, pick: (r) => r.rest?.p99Ms },
    { label: 'API process CPU per request', unit: 'µs', digits: 0, pick: (r) => r.rest?.cpuMicrosPerRequest },
    { label: 'Redis CPU per request', unit: 'µs', digits: 0, pick: (r) => r.rest?.redis.cpuMicrosPer },
    { label: 'Redis commands per request', unit: 'calls', digits: 1, pick: (r) => r.rest?.redis.callsPer },
    { label: 'REST non-2xx + errors', unit: 'count', digits: 0, pick: (r) => r.rest?.failures },
    {
      label: `${batch}, submit → all done`,
      unit: 'ms',
      digits: 0,
      pick: (r) => r.workflows?.totalMs,
      target: { text: '≤ 2× plain', met: (_, x) => x <= 2 },
    },
    { label: `${batch}, the submit call`, unit: 'ms', digits: 0, pick: (r) => r.workflows?.submitMs },
    {
      label: `${batch}, producer CPU per task`,
      unit: 'µs',
      digits: 0,
      pick: (r) => r.workflows?.producerCpuMicrosPerTask,
    },
    {
      label: `${batch}, worker CPU per task`,
      unit: 'µs',
      digits: 0,
      pick: (r) => r.workflows?.workerCpuMicrosPerTask,
    },
    {
      label: `${batch}, Redis CPU per task`,
      unit: 'µs',
      digits: 0,
      pick: (r) => r.workflows?.redis.cpuMicrosPer,
    },
    {
      label: `${batch}, Redis commands per task`,
      unit: 'calls',
      digits: 1,
      pick: (r) => r.workflows?.redis.callsPer,
    },
    {
      label: `${batch}, Redis used_memory per task`,
      unit: 'bytes',
      digits: 0,
      pick: (r) => r.workflows?.memoryBytesPerTask,
    },
    {
      label: `${batch}, job hash per task (MEMORY USAGE)`,
      unit: 'bytes',
      digits: 0,
      pick: (r) => r.workflows?.jobBytesPerTask,
    },
    {
      label: `${batch}, workflow hash per task (MEMORY USAGE)`,
      unit: 'bytes',
      digits: 0,
      pick: (r) => r.workflows?.workflowBytesPerTask,
    },
    {
      label: `${batch}, longest Redis command during the submit`,
      unit: 'µs',
      digits: 0,
      pick: (r) => r.workflows?.longest.micros,
      target: { text: '≤ 50 ms', met: (ours) => ours <= 50_000 },
    },
    {
      label: `${batch}, EXEC of the submit's MULTI`,
      unit: 'µs',
      digits: 0,
      pick: (r) => r.workflows?.execMicros,
    },
    {
      label: `${batch}, Redis CPU over the submit call`,
      unit: 'µs',
      digits: 0,
      pick: (r) => r.workflows?.submitRedisCpuMicros,
    },
  ];
}

export interface SummaryRow {
  metric: Metric;
  plainRuns: number[];
  oursRuns: number[];
  plain: number;
  ours: number;
  ratio: number;
  /** undefined when the metric has no target. */
  met?: boolean;
}

/**
 * ours/plain of each repetition (its two runs follow each other), where both measured the metric: the speed
 * of a shared machine drifts over minutes, and a ratio of medians taken from different minutes moved with it.
 */
function pairedRatios(results: Results, metric: Metric): number[] {
  return results.ours.flatMap((run, i) => {
    const ours = metric.pick(run);
    const plainRun = results.plain[i];
    const plain = plainRun ? metric.pick(plainRun) : undefined;
    const value = ours !== undefined && plain !== undefined ? ratio(ours, plain) : NaN;
    return Number.isFinite(value) ? [value] : [];
  });
}

/** Medians per metric and the median of the paired ours/plain ratios; metrics not measured are left out. */
export function summarize(results: Results, options: BenchOptions): SummaryRow[] {
  const values = (runs: RunResult[], metric: Metric): number[] =>
    runs.map((r) => metric.pick(r)).filter((v): v is number => v !== undefined);
  return metrics(options).flatMap((metric) => {
    const plainRuns = values(results.plain, metric);
    const oursRuns = values(results.ours, metric);
    if (plainRuns.length === 0 && oursRuns.length === 0) return [];
    const pairs = pairedRatios(results, metric);
    const row: SummaryRow = {
      metric,
      plainRuns,
      oursRuns,
      plain: median(plainRuns),
      ours: median(oursRuns),
      ratio: pairs.length > 0 ? median(pairs) : ratio(median(oursRuns), median(plainRuns)),
    };
    if (metric.target) row.met = metric.target.met(row.ours, row.ratio);
    return [row];
  });
}

/** One stored shape's median sizes over the runs (ours: the systems that have workflows). */
export interface SizeRow extends StoredSize {
  runs: number;
}

/** Median stored sizes per shape, in the order measured; empty when the workflows scenario did not run. */
export function summarizeSizes(runs: RunResult[]): SizeRow[] {
  const byShape = new Map<string, StoredSize[]>();
  for (const run of runs) {
    for (const size of run.workflows?.sizes ?? []) {
      byShape.set(size.shape, [...(byShape.get(size.shape) ?? []), size]);
    }
  }
  return [...byShape].map(([shape, sizes]) => {
    const mid = (pick: (size: StoredSize) => number): number => median(sizes.map(pick));
    return {
      shape,
      tasks: mid((size) => size.tasks),
      workflowBytes: mid((size) => size.workflowBytes),
      jobBytes: mid((size) => size.jobBytes),
      dataBytes: mid((size) => size.dataBytes),
      largestDataBytes: mid((size) => size.largestDataBytes),
      runs: sizes.length,
    };
  });
}
