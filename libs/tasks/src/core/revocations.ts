import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
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
    @Inject(TASKS_CONFIG) config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  async revoke(id: string, terminate: boolean, dueAt: number): Promise<void> {
    await this.revokeMany([id], terminate, dueAt);
  }

  /** Revokes several tasks in one step and one broadcast (the unfinished members of a workflow). */
  async revokeMany(ids: readonly string[], terminate: boolean, dueAt = 0): Promise<void> {
    if (ids.length === 0) return;
    const now = Date.now();
    const until = Math.max(now, dueAt) + REVOKE_MARK_TTL_MS;
    const message: RevokeMessage = { type: 'revoke', ids: [...ids], terminate };
    await this.redis
      .multi()
      .zremrangebyscore(this.keys.revoked, '-inf', now)
      .zadd(this.keys.revoked, ...ids.flatMap((id) => [until, id]))
      .publish(this.keys.control, JSON.stringify(message))
      .exec();
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
