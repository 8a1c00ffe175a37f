import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { Add, chain, chord, s, si, Xsum, type Canvas } from '@app/tasks';
import {
  fieldLengths,
  keysMemory,
  longestCommands,
  redisCost,
  redisUsage,
  trackLongestCommands,
  usedMemory,
  type LongestCommand,
  type RedisCost,
} from '../redis-meter.js';
import type { Batch, BenchEnv, SystemUnderTest, WorkflowProducer } from '../systems/system.js';

/** What one finished workflow (or batch) keeps in Redis, read after it completed (bytes). */
export interface StoredSize {
  /** The shape, e.g. `chain of 100`. */
  shape: string;
  tasks: number;
  /** MEMORY USAGE of the workflow's hash (plan, results, counters). */
  workflowBytes: number;
  /** MEMORY USAGE of its members' job hashes, summed. */
  jobBytes: number;
  /** The members' job `data` fields (HSTRLEN): what each member was queued with. */
  dataBytes: number;
  largestDataBytes: number;
}

export interface WorkflowsResult {
  tasks: number;
  /** From just before the submit to the end recorded in Redis (ms). */
  totalMs: number;
  /** The submit call alone: until everything is queued (ms). */
  submitMs: number;
  /** The bench process's CPU during the submit, per task (µs). */
  producerCpuMicrosPerTask: number;
  /** The worker process's CPU from the submit to the end, per task (µs). */
  workerCpuMicrosPerTask: number;
  /** Redis commands and CPU from the submit to the end, per task. */
  redis: RedisCost;
  /** used_memory after the end minus before the submit, per task (bytes). */
  memoryBytesPerTask: number;
  /** MEMORY USAGE of the tasks' job hashes, per task (bytes). */
  jobBytesPerTask: number;
  /** MEMORY USAGE of the workflow's hash, per task (bytes); ours only. */
  workflowBytesPerTask?: number;
  /**
   * Redis's own CPU time over the submit call (µs): what the longest command would take on an idle machine,
   * where the wall-clock figures below also count the time redis-server waited for a CPU.
   */
  submitRedisCpuMicros: number;
  /** Over the submit: the longest single command and the longest EXEC (µs, wall clock; NaN: no EXEC). */
  longest: LongestCommand;
  execMicros: number;
  /** Stored sizes of the batch and of other shapes (ours only). */
  sizes?: StoredSize[];
}

/** Tasks of the untimed first batch: loads the scripts, opens the connections, warms the worker's path. */
const WARMUP_TASKS = 10;
/** Lets the worker settle into its idle wait before the clock starts. */
const SETTLE_MS = 500;
/** Links of the chain, and chords in chains of chords (each `CHORD_WIDTH` members), for the stored sizes. */
export const CHAIN_LINKS = 100;
export const CHORD_CHAINS = [1, 3, 6] as const;
export const CHORD_WIDTH = 10;

const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** A chain of `links` `tasks.add`: the first adds 0 + 1, each next one adds 1 to the result before it. */
function addChain(links: number): { canvas: Canvas; expected: number } {
  const rest = Array.from({ length: links - 1 }, () => s(Add, { y: 1 }));
  return { canvas: chain(si(Add, { x: 0, y: 1 }), ...rest), expected: links };
}

/**
 * A chain of `chords` chords of `width` `tasks.add` members each, body `tasks.xsum`: the first chord's members
 * add i + i, each later chord's members add i to the previous body's result (Celery's 6 × 10 case).
 */
function chordChain(chords: number, width: number): { canvas: Canvas; expected: number } {
  const links: Canvas[] = [];
  let expected = 0;
  for (let c = 0; c < chords; c++) {
    const header = Array.from({ length: width }, (_, i) =>
      c === 0 ? si(Add, { x: i, y: i }) : s(Add, { y: i }),
    );
    links.push(chord(header, s(Xsum)));
    const offsets = Array.from({ length: width }, (_, i) => (c === 0 ? i + i : expected + i));
    expected = offsets.reduce((a, b) => a + b, 0);
  }
  return { canvas: chain(...links), expected };
}

async function storedSize(redis: Redis, shape: string, batch: Batch): Promise<StoredSize> {
  const { jobs, workflow } = await batch.keys();
  const data = await fieldLengths(redis, jobs, 'data');
  return {
    shape,
    tasks: jobs.length,
    workflowBytes: workflow ? await keysMemory(redis, [workflow]) : NaN,
    jobBytes: await keysMemory(redis, jobs),
    dataBytes: data.total,
    largestDataBytes: data.largest,
  };
}

/** The other shapes, one after the other on the running worker, each measured once it has completed. */
async function otherSizes(redis: Redis, producer: WorkflowProducer): Promise<StoredSize[]> {
  const shapes = [
    { shape: `chain of ${CHAIN_LINKS}`, ...addChain(CHAIN_LINKS) },
    ...CHORD_CHAINS.map((n) => ({
      shape: `${n} chord${n > 1 ? 's' : ''} × ${CHORD_WIDTH}`,
      ...chordChain(n, CHORD_WIDTH),
    })),
  ];
  const sizes: StoredSize[] = [];
  for (const { shape, canvas, expected } of shapes) {
    const batch = await producer.submit(canvas, expected);
    await batch.end(60_000);
    sizes.push(await storedSize(redis, shape, batch));
  }
  return sizes;
}

/**
 * `tasks` no-op tasks queued at once on one running worker — ours: one group workflow submitted through
 * `WorkflowClient`; plain BullMQ: one `Queue.addBulk` of independent jobs — from just before the submit to the
 * end recorded in Redis. Around it: the server's longest command during the submit (INFO latencystats, reset
 * before), its memory before the submit and after the end, and what the tasks' keys hold. For a system with
 * workflows, then the stored sizes of a chain and of chains of chords.
 */
export async function measureWorkflows(
  system: SystemUnderTest,
  env: BenchEnv,
  tasks: number,
  concurrency: number,
): Promise<WorkflowsResult> {
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  try {
    await trackLongestCommands(redis);
    const worker = await system.startWorker(env, concurrency);
    try {
      const producer = await system.batchProducer(env);
      let result: WorkflowsResult;
      try {
        await (await producer.submit(WARMUP_TASKS)).end(60_000);
        await sleep(SETTLE_MS);
        const memoryBefore = await usedMemory(redis);
        await redis.config('RESETSTAT');
        const redisBefore = await redisUsage(redis);
        const workerBefore = worker.cpuMicros();
        const cpuBefore = cpuMicros();
        const started = Date.now();
        const batch = await producer.submit(tasks);
        const submitMs = Date.now() - started;
        const producerCpu = cpuMicros() - cpuBefore;
        const redisSubmitted = await redisUsage(redis);
        const { longest, execMicros } = await longestCommands(redis);
        const ended = await batch.end(60_000 + tasks * 5);
        const workerCpu = worker.cpuMicros() - workerBefore;
        const redisAfter = await redisUsage(redis);
        const memoryAfter = await usedMemory(redis);
        const size = await storedSize(redis, `group of ${tasks.toLocaleString('en-US')}`, batch);
        result = {
          tasks,
          totalMs: ended - started,
          submitMs,
          producerCpuMicrosPerTask: producerCpu / tasks,
          workerCpuMicrosPerTask: workerCpu / tasks,
          redis: redisCost(redisBefore, redisAfter, tasks),
          memoryBytesPerTask: (memoryAfter - memoryBefore) / tasks,
          jobBytesPerTask: size.jobBytes / tasks,
          submitRedisCpuMicros: redisSubmitted.cpuMicros - redisBefore.cpuMicros,
          longest,
          execMicros,
        };
        if (Number.isFinite(size.workflowBytes)) result.workflowBytesPerTask = size.workflowBytes / tasks;
        if (system.workflowProducer) {
          const workflows = await system.workflowProducer(env);
          try {
            result.sizes = [size, ...(await otherSizes(redis, workflows))];
          } finally {
            await workflows.close();
          }
        }
      } finally {
        await producer.close();
      }
      return result;
    } finally {
      await worker.stop();
    }
  } finally {
    redis.disconnect();
  }
}
