import type { ChainableCommander, Redis } from 'ioredis';
import { ownKeys } from '../core/keys.js';
import type { StreamedEvent, TaskEvent } from './task-event.js';

/** The one field of a stream entry: its events, as a JSON array. */
const FIELD = 'e';

/**
 * Appends events to the stream as one entry, inside a pipeline or MULTI the caller sends (so that jobs and
 * their `received` events are written together). One entry per call, not per event: a worker's flush or a
 * workflow's batch of 500 jobs is one XADD, which is what keeps the events nearly free on the hot path. The
 * stream is capped (approximately, which is cheap) at `maxLen` entries: the recorder trims what every sink
 * has read; the cap only bounds what waits for a sink that cannot write.
 */
export function appendEvents(
  commands: ChainableCommander,
  prefix: string,
  maxLen: number,
  events: readonly TaskEvent[],
): void {
  if (events.length === 0) return;
  commands.xadd(ownKeys(prefix).events, 'MAXLEN', '~', maxLen, '*', FIELD, JSON.stringify(events));
}

/** Entries asked for by the first read of `readEvents`; later reads ask for what the events so far suggest. */
const FIRST_READ = 4;

/**
 * The events of up to `count` entries after stream id `after` (exclusive), oldest first, stopping at the
 * entry that reaches `maxEvents` (whole entries only, at least one): each event carries its entry's id
 * (`sid`) and its place in the entry (`i`), together its identity. `last` is the last entry taken; `more`
 * says whether entries were left for the next read.
 *
 * Entries are fetched a few at a time, as many as the events per entry seen so far say are needed: a worker's
 * entry holds hundreds of events, and one read of `count` entries fetched a whole backlog (tens of MB) to use
 * a batch of it (docs/OBSERVABILITY.md).
 */
export async function readEvents(
  redis: Redis,
  prefix: string,
  after: string,
  count: number,
  maxEvents = Infinity,
): Promise<{ events: StreamedEvent[]; last: string | undefined; more: boolean }> {
  const key = ownKeys(prefix).events;
  const events: StreamedEvent[] = [];
  let last: string | undefined;
  let taken = 0;
  let ask = Math.min(count, FIRST_READ);
  for (;;) {
    const entries = await redis.xrange(key, `(${last ?? after}`, '+', 'COUNT', ask);
    for (const [sid, fields] of entries) {
      if (taken > 0 && events.length >= maxEvents) return { events, last, more: true };
      taken++;
      last = sid;
      appendEntry(events, sid, fields);
    }
    // the stream's end, or the batch is full
    if (entries.length < ask) return { events, last, more: false };
    if (taken >= count || events.length >= maxEvents) return { events, last, more: true };
    const perEntry = Math.max(1, events.length / taken);
    ask = Math.min(count - taken, Math.ceil((maxEvents - events.length) / perEntry) + 1);
  }
}

/** The id of the stream's last entry; undefined while it is empty. */
export async function lastEntryId(redis: Redis, prefix: string): Promise<string | undefined> {
  const [entry] = await redis.xrevrange(ownKeys(prefix).events, '+', '-', 'COUNT', 1);
  return entry?.[0];
}

/** The events of one stream entry, each with its identity. */
function appendEntry(events: StreamedEvent[], sid: string, fields: string[]): void {
  const json = fields[fields.indexOf(FIELD) + 1];
  if (json === undefined) return;
  try {
    const parsed = JSON.parse(json) as TaskEvent | TaskEvent[];
    const list = Array.isArray(parsed) ? parsed : [parsed];
    list.forEach((event, i) => events.push({ ...event, sid, i }));
  } catch {
    // not ours (someone wrote to the key by hand): skipped, never a stuck recorder
  }
}

/** Stream ids compare as `<ms>-<seq>`; '0-0' is before every entry. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

export const STREAM_START = '0-0';

/** The epoch ms at which Redis added the entry with this id. */
export function streamIdMs(id: string): number {
  const dash = id.indexOf('-');
  return Number(dash < 0 ? id : id.slice(0, dash));
}
