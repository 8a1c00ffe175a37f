import { Inject } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import type { TaskEventSink } from '../events/event-sink.js';
import { STREAM_START } from '../events/event-stream.js';
import type { StreamedEvent } from '../events/task-event.js';
import { LuaScript } from '../redis/lua-script.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { HASH_APPLY, hashApplyArgs, mergeOps, type HashOp } from './hash-ops.js';
import type { TaskLabels } from './task-counters.js';
import { TaskIdentities } from './task-identities.js';

const HASH_APPLY_SCRIPT = new LuaScript(HASH_APPLY);

/**
 * A sink that adds its batches up in one Redis hash: one script per batch increments the fields and moves the
 * sink's cursor (kept in `_event_cursors`), so that a batch counts once whichever recorder applies it. The
 * metrics and the alerts' failure counts are two of these.
 */
export abstract class HashCountingSink implements TaskEventSink {
  abstract readonly name: string;
  protected readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly identities: TaskIdentities,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  /** The hash the increments go to. */
  protected abstract hash(): string;

  /** What a batch adds: field increments, from each event and its task's labels. */
  protected abstract opsOf(
    events: readonly StreamedEvent[],
    labelsOf: (id: string) => TaskLabels,
  ): Iterable<HashOp>;

  async cursor(): Promise<string> {
    return (await this.redis.hget(this.keys.eventCursors, this.name)) ?? STREAM_START;
  }

  async apply(events: readonly StreamedEvent[], from: string, to: string): Promise<void> {
    const labelsOf = await this.identities.prepare(events);
    const ops = mergeOps(this.opsOf(events, labelsOf));
    await HASH_APPLY_SCRIPT.run(
      this.redis,
      [this.hash(), this.keys.eventCursors],
      [this.name, from, to, ...hashApplyArgs(ops)],
    );
  }
}
