import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import { Lease } from '../redis/lease.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';

/** Held this long without renewal; the monitor renews it at each check. */
export const ALERT_LEASE_MS = 10_000;

/** Which process checks the alerts and delivers their notices: one at a time, any API or worker process. */
@Injectable()
export class AlertLease extends Lease {
  constructor(@Inject(TASKS_CONFIG) config: TasksConfig, @Inject(PRODUCER_REDIS) redis: Redis) {
    super(redis, ownKeys(config.prefix).alertLease, ALERT_LEASE_MS);
  }
}
