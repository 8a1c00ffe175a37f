import type { ChainableCommander, Redis } from 'ioredis';
import { ownKeys } from '../core/keys.js';
import type { StreamedEvent, TaskEvent } from './task-event.js';

/** The one field of a stream entry: the event as JSON. */
const FIELD = 'e';

/**
 * Appends events to the stream inside a pipeline or MULTI the caller sends (so that a job and its `received`
 * event are written together). The stream is capped (approximately, which is cheap) at `maxLen` entries: the
 * recorder trims what every consumer has read; the cap only bounds what waits for a consumer that is away.
 */
export function appendEvents(
  commands: ChainableCommander,
  prefix: string,
  maxLen: number,
  events: readonly TaskEvent[],
): void {
  const key = ownKeys(prefix).events;
  for (const event of events) {
    commands.xadd(key, 'MAXLEN', '~', maxLen, '*', FIELD, JSON.stringify(event));
  }
}

/** Up to `count` events after stream id `after` (exclusive), oldest first. */
export async function readEvents(
  redis: Redis,
  prefix: string,
  after: string,
  count: number,
): Promise<StreamedEvent[]> {
  const entries = await redis.xrange(ownKeys(prefix).events, `(${after}`, '+', 'COUNT', count);
  const events: StreamedEvent[] = [];
  for (const [sid, fields] of entries) {
    const json = fields[fields.indexOf(FIELD) + 1];
    if (json === undefined) continue;
    try {
      events.push({ ...(JSON.parse(json) as TaskEvent), sid });
    } catch {
      // not ours (someone wrote to the key by hand): skipped, never a stuck recorder
    }
  }
  return events;
}

/** Stream ids compare as `<ms>-<seq>`; '0-0' is before every entry. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

export const STREAM_START = '0-0';
