import { waitUntilIdle } from '../idle.js';
import { QueueProbe } from '../queue-probe.js';
import { redisCost, type RedisCost } from '../redis-meter.js';
import { perSecond } from '../stats.js';
import { BENCH_QUEUE, type BenchEnv, type SystemUnderTest } from '../systems/system.js';
import { addConcurrently } from './enqueue.js';

export interface ProcessingResult {
  tasksPerSec: number;
  cpuMicrosPerTask: number;
  /** CPU of the processes that run beside the worker (ours: the API, which records the task events). */
  companionCpuMicrosPerTask: number;
  /** Ours: from the last task's end until the history had recorded it (its cursor at the stream's end). */
  historyLagMs?: number;
  redis: RedisCost;
}

/**
 * Throughput of one worker process on a paused queue already holding `count` tasks: the worker is started
 * (after its companions) and every one of them settles (idle: start-up done; ours's history has recorded the
 * tasks' `received` events, which belong to the enqueueing), then the queue is resumed; the time runs from
 * the resume to the last job's `finishedOn`. CPU is the worker process's user + system time over the same
 * span, from /proc. Then (ours) how long after that the history had recorded every task.
 */
export async function drainPrefilled(
  system: SystemUnderTest,
  env: BenchEnv,
  probe: QueueProbe,
  count: number,
  concurrency: number,
): Promise<ProcessingResult> {
  const companions = (await system.startCompanions?.(env)) ?? [];
  const companionCpu = (): number => companions.reduce((sum, p) => sum + p.cpuMicros(), 0);
  try {
    const worker = await system.startWorker(env, concurrency);
    try {
      await waitUntilIdle([worker, ...companions]);
      // a paced recorder may be idle only in a pause (the start-ups kept the machine busy), the received events
      // not all recorded yet: they belong to the enqueueing, so the clock starts once the history has them
      if (system.historyRecordedAt) {
        await system.historyRecordedAt(env);
        await waitUntilIdle([worker, ...companions]);
      }
      const redisBefore = await probe.usage();
      const cpuBefore = worker.cpuMicros();
      const companionBefore = companionCpu();
      const started = Date.now();
      await probe.resume();
      const finished = await probe.waitForCompleted(count, 60_000 + count * 5);
      const cpu = worker.cpuMicros() - cpuBefore;
      const companionUsed = companionCpu() - companionBefore;
      const recordedAt = await system.historyRecordedAt?.(env);
      return {
        tasksPerSec: perSecond(count, finished - started),
        cpuMicrosPerTask: cpu / count,
        companionCpuMicrosPerTask: companionUsed / count,
        ...(recordedAt !== undefined ? { historyLagMs: Math.max(0, recordedAt - finished) } : {}),
        redis: redisCost(redisBefore, await probe.usage(), count),
      };
    } finally {
      await worker.stop();
    }
  } finally {
    await Promise.all(companions.map((p) => p.stop()));
  }
}

/** `count` tasks added through the system's own producer to the paused queue, then drained (above). */
export async function measureProcessing(
  system: SystemUnderTest,
  env: BenchEnv,
  count: number,
  concurrency: number,
  inFlight: number,
): Promise<ProcessingResult> {
  const probe = new QueueProbe(env.redisUrl, env.prefix, BENCH_QUEUE);
  try {
    await probe.pause();
    const producer = await system.producer(env);
    try {
      await addConcurrently(producer, count, inFlight);
    } finally {
      await producer.close();
    }
    return await drainPrefilled(system, env, probe, count, concurrency);
  } finally {
    await probe.close();
  }
}
