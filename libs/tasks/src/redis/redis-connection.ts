import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * `producer`: the API's shared connection. It fails fast while Redis is away (no offline queue, one retry), so
 * requests answer 503 at once instead of hanging. `consumer`: workers and event readers, which must wait and
 * reconnect by themselves (BullMQ requires `maxRetriesPerRequest: null` there).
 */
export type RedisRole = 'producer' | 'consumer';

export function redisOptions(url: string, role: RedisRole): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  const common: RedisOptions = {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  };
  return role === 'producer'
    ? { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false }
    : { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true };
}

export function createRedis(url: string, role: RedisRole, name?: string): Redis {
  return new Redis({ ...redisOptions(url, role), connectionName: name });
}
