import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { QueueRegistry } from '../core/queue-registry.js';
import type { StreamedEvent } from '../events/task-event.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { UNKNOWN_TASK, type TaskLabels } from './task-counters.js';

/** Task ids remembered: several minutes of `received` events at a few hundred tasks a second. */
const CAPACITY = 100_000;

/**
 * Which task (name, queue) an event is about. Only `received` events carry them; the recorder reads every
 * event in stream order, so the name of a task that starts, retries or ends is nearly always remembered from
 * its `received` event in this process. The others (received before this process held the recorder's lease,
 * or forgotten past `CAPACITY`) are read from their jobs, one pipeline per batch.
 */
@Injectable()
export class TaskIdentities {
  private readonly known = new Map<string, TaskLabels>();

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly queues: QueueRegistry,
  ) {}

  /** Learns the tasks of a batch's `received` events and looks up the rest; then `labelsOf` answers. */
  async prepare(events: readonly StreamedEvent[]): Promise<(id: string) => TaskLabels> {
    const missing = new Set<string>();
    for (const event of events) {
      if (event.t === 'received') this.remember(event.id, { name: event.name, queue: event.queue });
      else if (!this.known.has(event.id)) missing.add(event.id);
    }
    if (missing.size > 0) await this.lookUp([...missing]);
    return (id) => this.known.get(id) ?? UNKNOWN_TASK;
  }

  private remember(id: string, labels: TaskLabels): void {
    if (this.known.size >= CAPACITY) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    this.known.set(id, labels);
  }

  /** Each id's job, in whichever queue holds it (`<prefix>:<queue>:<id>`, field `name`). */
  private async lookUp(ids: string[]): Promise<void> {
    const queues = await this.queues.knownQueues();
    const pipeline = this.redis.pipeline();
    for (const id of ids)
      for (const queue of queues) pipeline.hget(`${this.config.prefix}:${queue}:${id}`, 'name');
    const answers = (await pipeline.exec()) ?? [];
    ids.forEach((id, i) => {
      const found = queues.findIndex((_, q) => typeof answers[i * queues.length + q]?.[1] === 'string');
      if (found >= 0) {
        this.remember(id, { name: answers[i * queues.length + found][1] as string, queue: queues[found] });
      }
    });
  }
}
