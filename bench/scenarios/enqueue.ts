import { QueueProbe } from '../queue-probe.js';
import { redisCost, type RedisCost } from '../redis-meter.js';
import { perSecond } from '../stats.js';
import { BENCH_QUEUE, type BenchEnv, type SystemUnderTest, type Producer } from '../systems/system.js';

/** Adds `count` tasks one after the other, each awaited; returns tasks/s. */
export async function addSequentially(producer: Producer, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await producer.add(i, 1);
  return perSecond(count, performance.now() - started);
}

/** Adds `count` tasks keeping `inFlight` additions pending at all times; returns tasks/s. */
export async function addConcurrently(producer: Producer, count: number, inFlight: number): Promise<number> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await producer.add(next++, 1);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return perSecond(count, performance.now() - started);
}

export interface EnqueueResult {
  sequential: number;
  concurrent: number;
  /** CPU time of the bench process (the producer) per task added, over the concurrent run (µs). */
  cpuMicrosPerTask: number;
  /** Redis commands and CPU per task added, over the concurrent run. */
  redis: RedisCost;
}

const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * One producer in the bench process, no worker running: the queue is paused so that both systems take the same
 * add path. Sequential awaits first, then `inFlight` promises in flight.
 */
export async function measureEnqueue(
  system: SystemUnderTest,
  env: BenchEnv,
  count: number,
  inFlight: number,
): Promise<EnqueueResult> {
  const probe = new QueueProbe(env.redisUrl, env.prefix, BENCH_QUEUE);
  const producer = await system.producer(env);
  try {
    await probe.pause();
    await producer.add(0, 0); // connects and warms the add path: not counted
    const sequential = await addSequentially(producer, count);
    const redisBefore = await probe.usage();
    const cpuBefore = cpuMicros();
    const concurrent = await addConcurrently(producer, count, inFlight);
    const cpuMicrosPerTask = (cpuMicros() - cpuBefore) / count;
    return {
      sequential,
      concurrent,
      cpuMicrosPerTask,
      redis: redisCost(redisBefore, await probe.usage(), count),
    };
  } finally {
    await producer.close();
    await probe.close();
  }
}
