import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { createRedis } from './redis-connection.js';

const STARTUP_CONNECT_WAIT_MS = 5_000;

/** Makes the process's shared producer connection; a Redis that is down at start-up does not stop the process. */
export const producerRedisProvider = {
  provide: PRODUCER_REDIS,
  inject: [TASKS_CONFIG],
  useFactory: async (config: TasksConfig): Promise<Redis> => {
    const logger = new Logger('Redis');
    const redis = createRedis(config.redisUrl, 'producer', 'codehubot:producer');
    let lastWarning = 0;
    redis.on('error', (error: Error) => {
      if (Date.now() - lastWarning > 10_000) logger.warn(`Redis unavailable: ${error.message}`);
      lastWarning = Date.now();
    });
    // without an offline queue, commands sent before the first connect fail: give it a moment at start-up
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STARTUP_CONNECT_WAIT_MS);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
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
