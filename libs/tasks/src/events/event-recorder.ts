import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import { Lease } from '../redis/lease.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import type { TaskEventSink } from './event-sink.js';
import { STREAM_START, compareStreamIds, readEvents, streamIdMs } from './event-stream.js';
import { RecorderPace } from './recorder-pace.js';

/**
 * Stream entries read per batch (a worker's entry holds up to a flush's events, a submission's its jobs'), and
 * the events a batch stops at: large batches let the history keep up (one transaction each). On a recorder
 * thread (the API's) a batch holds no one's event loop but the thread's, so they are larger there; inline (a
 * worker standing in) they are bounded so that a synchronous SQLite transaction stays short (about 20 ms).
 */
export interface RecorderBatch {
  entries: number;
  events: number;
  /** Yield the machine to tasks and requests while they keep it busy (a recorder thread: `RecorderPace`). */
  paced?: boolean;
}
export const INLINE_BATCH: RecorderBatch = { entries: 200, events: 2_000 };
export const THREAD_BATCH: RecorderBatch = { entries: 2_000, events: 10_000, paced: true };
export const EVENT_RECORDER_BATCH = Symbol('EVENT_RECORDER_BATCH');
/**
 * A paced recorder's batch shrinks with its duty, down to this many events: a round of 10,000 events costs
 * hundreds of ms of CPU, and a pause cannot make up for it (the pause is bounded, so the duty is not).
 */
const MIN_PACED_EVENTS = 500;
/** Pause when the stream has nothing new: a task is in the history within this (plus a write) of its event. */
const IDLE_MS = 100;
/** The lease: held this long without renewal, renewed every third of it. */
const LEASE_MS = 5_000;
/** How often what every sink has read is trimmed from the stream. */
const TRIM_EVERY_MS = 5_000;
/** Back-off of a sink that failed (a database away), doubling up to the maximum. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * A worker (`standby`) takes a free lease only once no API process (`primary`) has said it is alive for this
 * long, and hands it back as soon as one does: history and metrics writes stay off the processes that run tasks
 * whenever an API is up, and go on without one.
 */
const STANDBY_AFTER_MS = 3 * LEASE_MS;

/** Where a recorder runs: an API process records first; a worker stands in when no API is up. */
export type RecorderRole = 'primary' | 'standby';
export const EVENT_RECORDER_ROLE = Symbol('EVENT_RECORDER_ROLE');

interface SinkState {
  sink: TaskEventSink;
  cursor: string | undefined;
  failures: number;
  retryAt: number;
}

/**
 * Reads the task events stream and feeds every sink, in one process at a time: the holder of a lease (a Redis
 * key with an expiry; another process takes over within `LEASE_MS` of its death), an API process when one is
 * up, else a worker. Each sink
 * moves its own cursor atomically with its writes, so a sink that fails (the database away) only falls
 * behind: the others go on, and it catches up from its cursor once it can write again. The stream keeps what
 * the slowest sink has not read.
 */
@Injectable()
export class EventRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRecorder.name);
  private readonly sinks: SinkState[] = [];
  private readonly lease: Lease;
  /** When the lease was last taken or renewed (0: not held). */
  private renewedAt = 0;
  private readonly keys: ReturnType<typeof ownKeys>;
  private running: Promise<void> | undefined;
  private stopping = new AbortController();
  private lastTrim = 0;
  private readonly pace: RecorderPace | undefined;
  /** How far behind the stream's writers the last round ended. */
  private lagMs = 0;

  private readonly role: RecorderRole;

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    @Optional() @Inject(EVENT_RECORDER_ROLE) role?: RecorderRole,
    @Optional() @Inject(EVENT_RECORDER_BATCH) private readonly batch: RecorderBatch = INLINE_BATCH,
  ) {
    this.keys = ownKeys(config.prefix);
    this.role = role ?? 'primary';
    this.lease = new Lease(redis, this.keys.recorderLease, LEASE_MS);
    this.pace = this.batch.paced ? new RecorderPace() : undefined;
  }

  /** Adds a sink; sinks register in `onModuleInit`, before the recorder starts. */
  register(sink: TaskEventSink): void {
    this.sinks.push({ sink, cursor: undefined, failures: 0, retryAt: 0 });
  }

  onApplicationBootstrap(): void {
    if (!this.config.events.enabled || this.sinks.length === 0) return;
    this.running = this.loop().catch((error: unknown) =>
      this.logger.error(`event recorder stopped: ${String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.lease.release();
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let busy = false;
      let pause = 0;
      try {
        if (await this.holdLease()) {
          const began = performance.now();
          const round = await this.round(this.batchEvents());
          busy = round.more;
          // after any round that applied events: one that caught up is followed by the idle pause at least
          if (this.pace && round.last !== undefined) {
            this.lagMs = Date.now() - streamIdMs(round.last);
            pause = this.pace.pauseAfter(performance.now() - began, this.lagMs, round.more);
          }
        }
      } catch (error) {
        this.logger.warn(`event recorder: ${String(error)}`);
        this.renewedAt = 0;
      }
      if (!busy) pause = Math.max(pause, this.lease.held ? IDLE_MS : LEASE_MS / 3);
      if (pause > 0) await sleep(pause, undefined, { signal }).catch(() => undefined);
    }
  }

  /** The events the next round stops at: the batch's, or (paced) its share of them. */
  private batchEvents(): number {
    if (!this.pace) return this.batch.events;
    const share = this.pace.duty(this.lagMs);
    return Math.min(this.batch.events, Math.max(MIN_PACED_EVENTS, Math.round(this.batch.events * share)));
  }

  /** Takes or renews the lease (renewed once a third of it has passed); false when another process holds it. */
  private async holdLease(): Promise<boolean> {
    const now = Date.now();
    if (this.lease.held && now - this.renewedAt < LEASE_MS / 3) return true;
    if (this.role === 'primary') {
      await this.redis.set(this.keys.recorderPrimary, '1', 'PX', STANDBY_AFTER_MS);
    } else if (await this.redis.exists(this.keys.recorderPrimary)) {
      if (this.lease.held) {
        await this.lease.release();
        this.logger.log('an API process is up: it records the task events from now on');
      }
      return this.lost();
    }
    if (!(await this.lease.hold())) return this.lost();
    this.renewedAt = now;
    return true;
  }

  private lost(): false {
    this.renewedAt = 0;
    // cursors move elsewhere meanwhile: read them again when this process gets the lease back
    for (const state of this.sinks) state.cursor = undefined;
    return false;
  }

  /** One batch to every sink that is due; `more` when the stream may hold more right away. */
  private async round(maxEvents: number): Promise<{ more: boolean; last?: string }> {
    const now = Date.now();
    const due = this.sinks.filter((state) => state.retryAt <= now);
    for (const state of due) state.cursor ??= await state.sink.cursor();
    const cursors = due.map((state) => state.cursor ?? STREAM_START);
    if (cursors.length === 0) return { more: false };
    const from = cursors.reduce((a, b) => (compareStreamIds(a, b) <= 0 ? a : b));
    const { events, last, more } = await readEvents(
      this.redis,
      this.config.prefix,
      from,
      this.batch.entries,
      maxEvents,
    );
    if (last !== undefined) {
      for (const state of due) {
        const cursor = state.cursor ?? STREAM_START;
        if (compareStreamIds(last, cursor) <= 0) continue;
        // may be empty (entries that were not ours): the cursor still moves past them
        const fresh =
          cursor === from ? events : events.filter((event) => compareStreamIds(event.sid, cursor) > 0);
        try {
          await state.sink.apply(fresh, cursor, last);
          state.cursor = last;
          if (state.failures > 0) this.logger.log(`${state.sink.name}: writing again`);
          state.failures = 0;
        } catch (error) {
          state.failures++;
          state.retryAt = Date.now() + Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (state.failures - 1));
          state.cursor = undefined;
          if (state.failures === 1 || state.failures % 10 === 0) {
            this.logger.warn(`${state.sink.name}: events kept for later (${String(error)})`);
          }
        }
      }
    }
    if (now - this.lastTrim >= TRIM_EVERY_MS) await this.trim();
    return { more, last };
  }

  /** Drops from the stream what every sink has applied (all sinks, the failing ones included). */
  private async trim(): Promise<void> {
    this.lastTrim = Date.now();
    const cursors: string[] = [];
    for (const state of this.sinks) {
      const cursor = state.cursor ?? (await state.sink.cursor().catch(() => undefined));
      // a sink that cannot say how far it is (its database away) keeps everything
      if (cursor === undefined) return;
      cursors.push(cursor);
    }
    const min = cursors.reduce((a, b) => (compareStreamIds(a, b) <= 0 ? a : b));
    if (min !== STREAM_START) await this.redis.xtrim(this.keys.events, 'MINID', min);
  }
}
