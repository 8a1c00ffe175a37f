import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { ownKeys } from './keys.js';
import type { WorkerInfo } from './worker-info.js';

/** Reads the live workers from their heartbeats (Flower's worker page, Celery's `inspect`). */
@Injectable()
export class WorkerDirectory {
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  /**
   * Workers whose heartbeat has not expired. The sorted set also holds dead workers for a while (crash recovery
   * reads them, and forgets them); their heartbeat keys are gone, so they are not listed.
   */
  async list(): Promise<WorkerInfo[]> {
    const ids = await this.redis.zrange(this.keys.workers, 0, -1);
    if (ids.length === 0) return [];
    const raw = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    return raw
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as WorkerInfo)
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}
