import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/**
 * BullMQ keeps tasks as Redis keys: a Redis that evicts keys under memory pressure silently loses accepted
 * tasks. Warns loudly unless `maxmemory-policy` is `noeviction` (managed Redis may forbid CONFIG: say so).
 */
export async function warnIfRedisEvicts(redis: Redis, logger: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      logger.warn(
        `Redis maxmemory-policy is "${policy}": under memory pressure Redis may DELETE queued tasks. ` +
          'Set maxmemory-policy noeviction.',
      );
    }
  } catch {
    logger.warn('Could not read Redis maxmemory-policy (CONFIG disabled?): make sure it is noeviction');
  }
}
