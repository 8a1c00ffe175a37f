import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ownKeys, PRODUCER_REDIS, TASKS_CONFIG, type TasksConfig } from '@app/tasks';
import type { TickState } from '../tick-plan.js';

/** What the beats last did for one schedule (the `_beat:<name>` hash). */
export interface BeatRecord extends TickState {
  /** Whether the beats have seen it at all: a new schedule starts from when they first do. */
  known: boolean;
  /** The last task queued, by a tick or run now, and the nominal time it was queued for. */
  lastTaskId?: string;
  lastRun?: number;
  error?: string;
}

/** Sets a hash field to a number unless it holds a larger one already (ticks only move forward). */
export const SET_MAX = `local v = tonumber(redis.call('hget', KEYS[1], ARGV[1]))
if v == nil or v < tonumber(ARGV[2]) then redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) return 1 end
return 0`;

const LOCK_MS = 5_000;
const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** The beats' state of each schedule in Redis, shared by every beat replica and read by the API. */
@Injectable()
export class BeatState {
  readonly keys: ReturnType<typeof ownKeys>;
  private readonly owner = randomUUID();

  constructor(
    @Inject(TASKS_CONFIG) config: TasksConfig,
    @Inject(PRODUCER_REDIS) readonly redis: Redis,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  /** The records of many schedules in one round trip. */
  async read(names: readonly string[]): Promise<Map<string, BeatRecord>> {
    const records = new Map<string, BeatRecord>();
    if (names.length === 0) return records;
    const multi = this.redis.multi();
    for (const name of names) multi.hgetall(this.keys.beat(name));
    const results = (await multi.exec()) ?? [];
    names.forEach((name, i) => {
      const [error, value] = results[i] ?? [null, {}];
      if (error) throw error;
      records.set(name, parseRecord((value ?? {}) as Record<string, string>));
    });
    return records;
  }

  /** A new schedule's first tick is the first after now: none is missed before a beat has seen it. */
  async start(name: string, now: number): Promise<void> {
    await this.redis.hsetnx(this.keys.beat(name), 'tick', now);
  }

  /**
   * Handling one schedule's due ticks is one beat's at a time (others see the lock and look again shortly); the
   * lock expires on its own if its holder dies.
   */
  async lock(name: string): Promise<boolean> {
    return (await this.redis.set(this.keys.beatLock(name), this.owner, 'PX', LOCK_MS, 'NX')) === 'OK';
  }

  async unlock(name: string): Promise<void> {
    await this.redis.eval(UNLOCK, 1, this.keys.beatLock(name), this.owner);
  }

  /** Moves the tick forward and sets (or clears) the buffered tick, after ticks were handled without a task. */
  async advance(name: string, state: TickState): Promise<void> {
    const key = this.keys.beat(name);
    const multi = this.redis.multi().eval(SET_MAX, 1, key, 'tick', state.tick);
    if (state.buffered !== undefined) multi.hset(key, 'buffered', state.buffered);
    else multi.hdel(key, 'buffered');
    await multi.exec();
  }

  /** Shows a schedule in its error state (and raises the `schedule_error` alert), or clears it. */
  async setError(name: string, error: string | undefined): Promise<void> {
    const multi = this.redis.multi();
    if (error === undefined) multi.hdel(this.keys.beat(name), 'error').hdel(this.keys.scheduleErrors, name);
    else multi.hset(this.keys.beat(name), 'error', error).hset(this.keys.scheduleErrors, name, error);
    await multi.exec();
  }

  /** Forgets a schedule's state (removed, or replaced: its ticks start again from now). */
  async forget(name: string, now?: number): Promise<void> {
    const multi = this.redis.multi().del(this.keys.beat(name)).hdel(this.keys.scheduleErrors, name);
    if (now !== undefined) multi.hset(this.keys.beat(name), 'tick', now);
    await multi.exec();
  }

  /** Resumed: ticks while paused are not caught up; the next one is the first after now. */
  async restartFrom(name: string, now: number): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.beat(name), 'tick', now)
      .hdel(this.keys.beat(name), 'buffered')
      .exec();
  }
}

function parseRecord(hash: Record<string, string>): BeatRecord {
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const record: BeatRecord = { known: hash.tick !== undefined, tick: num(hash.tick) ?? 0 };
  if (hash.buffered !== undefined) record.buffered = Number(hash.buffered);
  if (hash.task_id !== undefined) record.lastTaskId = hash.task_id;
  if (hash.last_run !== undefined) record.lastRun = num(hash.last_run);
  if (hash.error !== undefined) record.error = hash.error;
  return record;
}
