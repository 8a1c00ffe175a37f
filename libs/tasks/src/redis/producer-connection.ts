import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { createRedis } from './redis-connection.js';

/** Makes the process's shared producer connection. */
export const producerRedisProvider = {
  provide: PRODUCER_REDIS,
  inject: [TASKS_CONFIG],
  useFactory: (config: TasksConfig): Redis => {
    const logger = new Logger('Redis');
    const redis = createRedis(config.redisUrl, 'producer', 'codehubot:producer');
    let lastWarning = 0;
    redis.on('error', (error: Error) => {
      if (Date.now() - lastWarning > 10_000) logger.warn(`Redis unavailable: ${error.message}`);
      lastWarning = Date.now();
    });
    return redis;
  },
};

/** Closes the shared producer connection last, after the queues that use it. */
@Injectable()
export class ProducerConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(PRODUCER_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
