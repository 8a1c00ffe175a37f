import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchProcess } from './node-process.js';

const SAMPLE_MS = 250;

/**
 * Waits until `processes` together have used at most `maxShare` of one core over the last `quietMs`: a
 * process that has finished starting (executor threads booted, a recorder thread started, what it found to
 * do on start done) before the clock of a measurement starts. Throws after `timeoutMs`.
 */
export async function waitUntilIdle(
  processes: readonly BenchProcess[],
  { quietMs = 1_000, maxShare = 0.05, timeoutMs = 120_000 } = {},
): Promise<void> {
  const cpu = (): number => processes.reduce((sum, p) => sum + p.cpuMicros(), 0);
  const samples: { at: number; cpu: number }[] = [{ at: Date.now(), cpu: cpu() }];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(SAMPLE_MS);
    const now = { at: Date.now(), cpu: cpu() };
    samples.push(now);
    const from = samples.find((s) => now.at - s.at <= quietMs + SAMPLE_MS / 2);
    if (from && from !== now && now.at - from.at >= quietMs) {
      const share = (now.cpu - from.cpu) / 1000 / (now.at - from.at);
      if (share <= maxShare) return;
    }
  }
  throw new Error(`processes ${processes.map((p) => p.pid).join(', ')} still busy after ${timeoutMs} ms`);
}
