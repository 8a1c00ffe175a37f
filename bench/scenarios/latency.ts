import { setTimeout as sleep } from 'node:timers/promises';
import { QueueProbe } from '../queue-probe.js';
import { percentiles, perSecond, type Percentiles } from '../stats.js';
import { BENCH_QUEUE, type BenchEnv, type Producer, type SystemUnderTest } from '../systems/system.js';

interface Sent {
  id: string;
  /** Epoch ms just before the producer was called: the client's own work counts as latency. */
  sentAt: number;
}

export interface LatencyResult {
  /** Rate actually offered over the whole run (tasks/s); it should be the requested rate. */
  offered: number;
  start: Percentiles;
  done: Percentiles;
}

/**
 * Open-loop load: task i is sent at `i / rate` seconds whether or not earlier ones have been acknowledged, so a
 * slow system cannot slow the offered rate down. Bounded by the task count and by a hard time limit.
 */
async function offer(
  producer: Producer,
  rate: number,
  seconds: number,
): Promise<{ sent: Sent[]; rate: number }> {
  const total = Math.round(rate * seconds);
  const pending: Promise<Sent>[] = [];
  const started = performance.now();
  const hardStop = started + seconds * 3_000 + 5_000;
  while (pending.length < total && performance.now() < hardStop) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    while (pending.length < due) {
      const sentAt = Date.now();
      pending.push(producer.add(pending.length, 1).then((id) => ({ id, sentAt })));
    }
    await sleep(1);
  }
  const elapsed = performance.now() - started;
  return { sent: await Promise.all(pending), rate: perSecond(pending.length, elapsed) };
}

/**
 * Latency at a steady offered rate against one running worker: enqueue→start (`processedOn`) and enqueue→done
 * (`finishedOn`), read from the job hashes afterwards. The warm-up's tasks are run but not counted.
 */
export async function measureLatency(
  system: SystemUnderTest,
  env: BenchEnv,
  options: { rate: number; seconds: number; warmupSeconds: number; concurrency: number },
): Promise<LatencyResult> {
  const probe = new QueueProbe(env.redisUrl, env.prefix, BENCH_QUEUE);
  const worker = await system.startWorker(env, options.concurrency);
  try {
    const producer = await system.producer(env);
    let run: { sent: Sent[]; rate: number };
    try {
      const all = await offer(producer, options.rate, options.warmupSeconds + options.seconds);
      const warm = Math.round(options.rate * options.warmupSeconds);
      run = { sent: all.sent.slice(warm), rate: all.rate };
      await probe.waitForCompleted(all.sent.length, 60_000);
    } finally {
      await producer.close();
    }
    const times = await probe.jobTimes(run.sent.map((s) => s.id));
    return {
      offered: run.rate,
      start: percentiles(times.map((t, i) => t.processedOn - run.sent[i].sentAt)),
      done: percentiles(times.map((t, i) => t.finishedOn - run.sent[i].sentAt)),
    };
  } finally {
    await worker.stop();
    await probe.close();
  }
}
