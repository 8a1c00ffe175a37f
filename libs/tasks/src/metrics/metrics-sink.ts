import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import type { TaskEventSink } from '../events/event-sink.js';
import { STREAM_START } from '../events/event-stream.js';
import type { StreamedEvent } from '../events/task-event.js';
import { LuaScript } from '../redis/lua-script.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { HASH_APPLY, hashApplyArgs, mergeOps } from './hash-ops.js';
import { countEvents } from './task-counters.js';
import { TaskIdentities } from './task-identities.js';

export const HASH_APPLY_SCRIPT = new LuaScript(HASH_APPLY);

/**
 * Per-task counters and histograms of every worker, added up in one Redis hash (`<prefix>:_metrics`): one
 * script per batch of events increments the fields and moves the cursor, so that any API replica's
 * `GET /metrics` serves the totals, and a batch counts once whichever recorder applies it.
 */
@Injectable()
export class MetricsSink implements TaskEventSink {
  readonly name = 'metrics';
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly identities: TaskIdentities,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  async cursor(): Promise<string> {
    return (await this.redis.hget(this.keys.eventCursors, this.name)) ?? STREAM_START;
  }

  async apply(events: readonly StreamedEvent[], from: string, to: string): Promise<void> {
    const labelsOf = await this.identities.prepare(events);
    const ops = mergeOps(countEvents(events, labelsOf));
    await HASH_APPLY_SCRIPT.run(
      this.redis,
      [this.keys.metrics, this.keys.eventCursors],
      [this.name, from, to, ...hashApplyArgs(ops)],
    );
  }
}
