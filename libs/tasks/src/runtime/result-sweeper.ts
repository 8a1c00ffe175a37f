import { Logger } from '@nestjs/common';
import type { QueueRegistry } from '../core/queue-registry.js';

/** Finished tasks removed per Redis call; a larger backlog takes several calls in one sweep. */
const BATCH = 5_000;

/**
 * Removes finished tasks (results and failures) once `RESULT_EXPIRES` has passed, a batch per call, every
 * tenth of that time (1 to 60 s). Readers never see an expired result in between: the client treats a task
 * finished longer ago than `RESULT_EXPIRES` as unknown (404) whether or not it was swept yet.
 *
 * Why not BullMQ's `removeOnComplete: {age}`: that searches the finished set in the script that finishes every
 * task, which measured about 10 % of Redis's and several % of the worker's time per no-op task
 * (docs/BENCHMARKS.md). Every worker sweeps the queues it consumes; two sweeping at once is harmless.
 */
export class ResultSweeper {
  private readonly logger = new Logger(ResultSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly queues: QueueRegistry,
    private readonly names: readonly string[],
    private readonly expiresSeconds: number,
  ) {}

  start(): void {
    const everyMs = Math.min(60, Math.max(1, this.expiresSeconds / 10)) * 1000;
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every queue; returns how many finished tasks it removed. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (const name of this.names) {
      const queue = this.queues.get(name);
      for (const type of ['completed', 'failed'] as const) {
        try {
          let batch: string[];
          do {
            batch = await queue.clean(this.expiresSeconds * 1000, BATCH, type);
            removed += batch.length;
          } while (batch.length === BATCH);
        } catch (error) {
          // Redis away: the next sweep catches up
          this.logger.warn(`sweeping ${name} (${type}): ${(error as Error).message}`);
        }
      }
    }
    return removed;
  }
}
