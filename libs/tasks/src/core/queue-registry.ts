import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { TaskRouter } from '../queues.js';
import { PRODUCER_REDIS, REGISTERED_QUEUES, TASKS_CONFIG } from '../tokens.js';
import { ownKeys } from './keys.js';

const KNOWN_QUEUES_TTL_MS = 5_000;

/**
 * The producer's BullMQ queues over one shared connection, one `Queue` per name per process: those
 * `BullModule` registered (the configured queues, also injectable with `@InjectQueue`), others made on first
 * use. Closes them all, once. And the list of every queue in use (so that a task id can be found without
 * knowing its queue, as Celery's ids allow).
 */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  readonly router: TaskRouter;
  private readonly queues: Map<string, Queue>;
  private readonly announced = new Set<string>();
  private known: { names: string[]; at: number } | undefined;

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    // absent where BullModule is not wired (executor threads): every queue is then made here
    @Optional() @Inject(REGISTERED_QUEUES) registered?: ReadonlyMap<string, Queue>,
  ) {
    this.router = new TaskRouter(config.routes);
    this.queues = new Map(registered);
  }

  get(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.config.prefix });
      // the shared connection's errors are logged by its provider, not once more per queue
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Records a queue in the shared list once per process, so that other processes look into it too. */
  async announce(name: string): Promise<void> {
    if (this.announced.has(name)) return;
    await this.redis.sadd(ownKeys(this.config.prefix).queues, name);
    this.announced.add(name);
    this.known = undefined;
  }

  /** Every queue that may hold a task: the routing table's, this process's, and those others announced. */
  async knownQueues(): Promise<string[]> {
    if (this.known && Date.now() - this.known.at < KNOWN_QUEUES_TTL_MS) return this.known.names;
    const shared = await this.redis.smembers(ownKeys(this.config.prefix).queues);
    const names = [...new Set([...this.router.knownQueues(), ...this.announced, ...shared])];
    this.known = { names, at: Date.now() };
    return names;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
