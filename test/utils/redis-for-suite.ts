import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import type { Redis } from 'ioredis';
import { TestRedis } from './redis-server.js';

/**
 * A suite's own redis-server: started before its tests (`ready` gets a client and the server), flushed before
 * each test, stopped after the last.
 */
export function redisForSuite(ready: (client: Redis, server: TestRedis) => void): void {
  let server: TestRedis | undefined;
  let client: Redis | undefined;

  beforeAll(async () => {
    server = await TestRedis.start();
    client = server.client();
    ready(client, server);
  });

  afterAll(async () => {
    client?.disconnect();
    await server?.destroy();
  });

  beforeEach(async () => {
    await client?.flushall();
  });
}
