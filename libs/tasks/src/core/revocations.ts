import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { appendEvents } from '../events/event-stream.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { ownKeys } from './keys.js';

/** How long a revoke mark outlives the moment the task was due: covers retries and late re-deliveries. */
export const REVOKE_MARK_TTL_MS = 7 * 24 * 3600 * 1000;

export interface RevokeMessage {
  type: 'revoke';
  ids: string[];
  terminate: boolean;
}

/**
 * Persistent revokes, as Celery's: a mark in a sorted set (read by status lookups and loaded by every worker
 * at start) plus a broadcast, so that running workers learn of it at once and can terminate the task.
 */
@Injectable()
export class Revocations {
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  /** `started`: whether it may be running or done (else it is REVOKED from now on, in the history too). */
  async revoke(id: string, terminate: boolean, dueAt: number, started = true): Promise<void> {
    await this.revokeMany([id], terminate, dueAt, started ? [] : [id]);
  }

  /**
   * Revokes several tasks in one step and one broadcast (the unfinished members of a workflow). Those of
   * `unstarted` are final now: their `revoked` event goes with the mark (the others' comes from the worker
   * that refuses or terminates them).
   */
  async revokeMany(
    ids: readonly string[],
    terminate: boolean,
    dueAt = 0,
    unstarted: readonly string[] = [],
  ): Promise<void> {
    if (ids.length === 0) return;
    const now = Date.now();
    const until = Math.max(now, dueAt) + REVOKE_MARK_TTL_MS;
    const message: RevokeMessage = { type: 'revoke', ids: [...ids], terminate };
    const multi = this.redis
      .multi()
      .zremrangebyscore(this.keys.revoked, '-inf', now)
      .zadd(this.keys.revoked, ...ids.flatMap((id) => [until, id]))
      .publish(this.keys.control, JSON.stringify(message));
    if (this.config.events.enabled && unstarted.length > 0) {
      const reason = 'revoked before it started';
      appendEvents(
        multi,
        this.config.prefix,
        this.config.events.maxLen,
        unstarted.map((id) => ({ t: 'revoked' as const, id, at: now, reason })),
      );
    }
    await multi.exec();
  }

  async isRevoked(id: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.revoked, id)) !== null;
  }

  /**
   * From when the revoke of `id` holds: the moment it was revoked, or the task's due time when that was later
   * (revoked while scheduled). A run that started at or after this moment is refused by the worker; one that
   * started before was already running. Undefined when the task is not revoked.
   */
  async revokedFrom(id: string): Promise<number | undefined> {
    const score = await this.redis.zscore(this.keys.revoked, id);
    return score === null ? undefined : Number(score) - REVOKE_MARK_TTL_MS;
  }
}
