import { BadRequestException } from '@nestjs/common';
import { decodePageCursor, HISTORY_STATES, type HistoryQuery, type HistoryState } from '@app/history';
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, type ListTasksQueryDto } from './dto/history.dto.js';

/** Shortest word of `q`: the search indexes match runs of three characters. */
const MIN_TERM = 3;
/** Longest window of `GET /stats`: its per-minute throughput stays a few thousand points. */
export const STATS_MAX_WINDOW_MS = 7 * 86_400_000;

function states(raw: string): HistoryState[] {
  const list = raw.split(',').map((s) => s.trim().toUpperCase());
  const bad = list.find((s) => !(HISTORY_STATES as readonly string[]).includes(s));
  if (bad !== undefined) {
    throw new BadRequestException(
      `state: ${JSON.stringify(bad.slice(0, 40))} is not one of ${HISTORY_STATES.join(', ')}`,
    );
  }
  return [...new Set(list)] as HistoryState[];
}

function terms(q: string): string[] {
  const words = q.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0 || words.some((w) => [...w].length < MIN_TERM)) {
    throw new BadRequestException(`q: every word must hold at least ${MIN_TERM} characters`);
  }
  if (words.length > 10) throw new BadRequestException('q: at most 10 words');
  return words;
}

function limit(raw: string | undefined): number {
  if (raw === undefined) return LIST_LIMIT_DEFAULT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > LIST_LIMIT_MAX) {
    throw new BadRequestException(`limit must be a whole number from 1 to ${LIST_LIMIT_MAX}`);
  }
  return n;
}

/** Latest instant a JavaScript date can hold: an ISO time past it (year 2097152) is no time at all. */
const MAX_TIME_MS = 8.64e15;

/** Epoch ms of an ISO time already checked for shape; one no date can hold is a 400 naming `param`. */
function time(raw: string | undefined, param: 'since' | 'until'): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_TIME_MS) {
    throw new BadRequestException(`${param} must be an ISO 8601 time between years -271821 and 275760`);
  }
  return ms;
}

function window(since: number | undefined, until: number | undefined): void {
  if (since !== undefined && until !== undefined && since >= until) {
    throw new BadRequestException('until must be later than since');
  }
}

/** The store's query from `GET /tasks`'s parameters (already checked for shape), or a 400 naming one. */
export function toHistoryQuery(dto: ListTasksQueryDto): HistoryQuery {
  const query: HistoryQuery = { limit: limit(dto.limit) };
  if (dto.state !== undefined) query.states = states(dto.state);
  if (dto.q !== undefined) query.terms = terms(dto.q);
  if (dto.cursor !== undefined) {
    const seq = decodePageCursor(dto.cursor);
    if (seq === undefined)
      throw new BadRequestException('cursor: not a cursor this API gave (use next_cursor)');
    query.beforeSeq = seq;
  }
  query.since = time(dto.since, 'since');
  query.until = time(dto.until, 'until');
  window(query.since, query.until);
  for (const key of ['name', 'queue', 'worker', 'parent'] as const) {
    if (dto[key] !== undefined) query[key] = dto[key];
  }
  return query;
}

/** The window of `GET /stats`: [since, until), by default the last hour. */
export function statsWindow(
  sinceRaw: string | undefined,
  untilRaw: string | undefined,
  now = Date.now(),
): {
  since: number;
  until: number;
} {
  const until = time(untilRaw, 'until') ?? now;
  const since = time(sinceRaw, 'since') ?? until - 3_600_000;
  window(since, until);
  if (until - since > STATS_MAX_WINDOW_MS)
    throw new BadRequestException('since: the window is at most 7 days');
  return { since, until };
}
