import type { Redis } from 'ioredis';
import { appendEvents } from './event-stream.js';
import type { TaskEvent } from './task-event.js';

/** Most events held before a flush is forced. */
const MAX_BUFFERED = 512;

/**
 * A worker's task events, sent a pipeline at a time (every `flushMs`, or sooner when many wait) rather than
 * one round trip each. What a SIGKILL catches in the buffer is not lost to the history: the task's job still
 * says what became of it, and the recorder reconciles rows left unfinished (docs/OBSERVABILITY.md).
 */
export class TaskEventBuffer {
  private pending: TaskEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxLen: number,
    private readonly flushMs = 50,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  push(event: TaskEvent): void {
    this.pending.push(event);
    if (this.pending.length >= MAX_BUFFERED) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Sends what is buffered; resolves once Redis has it (or the attempt failed, and the events are kept). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return this.flushing;
    const events = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      const pipeline = this.redis.pipeline();
      appendEvents(pipeline, this.prefix, this.maxLen, events);
      try {
        await pipeline.exec();
      } catch (error) {
        // Redis away: kept for the next flush (bounded: the oldest are dropped past the cap)
        this.pending = [...events, ...this.pending].slice(-this.maxLen);
        this.timer ??= setTimeout(() => void this.flush(), 1000);
        this.onError(error);
      }
    });
    return this.flushing;
  }
}
