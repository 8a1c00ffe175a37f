import { setTimeout as sleep } from 'node:timers/promises';
import type { TestSystem } from './test-system.js';

/** One item of `GET /tasks`, as the tests read it. */
export interface HistoryItem {
  task_id: string;
  state: string;
  name: string;
  queue: string;
  retries: number;
  result?: unknown;
  result_truncated?: boolean;
  error?: string;
  traceback?: string;
  args: unknown[];
  kwargs: unknown;
  worker: string | null;
  parent_id: string | null;
  received_at: string;
  started_at: string | null;
  date_done: string | null;
  runtime_ms: number | null;
  queue_wait_ms: number | null;
  transitions: { event: string; at: string; attempt?: number; error?: string; delay_ms?: number }[];
}

export interface HistoryPage {
  items: HistoryItem[];
  next_cursor: string | null;
}

/** `GET /tasks?…`, asserting a 200. */
export async function listTasks(
  system: TestSystem,
  query: Record<string, string> = {},
): Promise<HistoryPage> {
  const answer = await system.request<HistoryPage>('GET', `/tasks?${new URLSearchParams(query).toString()}`);
  if (answer.status !== 200)
    throw new Error(`GET /tasks ${JSON.stringify(query)}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Every page of a listing, following next_cursor. */
export async function listAll(
  system: TestSystem,
  query: Record<string, string> = {},
): Promise<HistoryItem[]> {
  const items: HistoryItem[] = [];
  let cursor: string | null = null;
  do {
    const page: HistoryPage = await listTasks(system, { ...query, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** Polls the history until `done` holds for the listing of `query`; returns that listing. */
export async function waitForHistory(
  system: TestSystem,
  query: Record<string, string>,
  done: (items: HistoryItem[]) => boolean,
  timeoutMs = 30_000,
): Promise<HistoryItem[]> {
  const deadline = Date.now() + timeoutMs;
  let items: HistoryItem[] = [];
  while (Date.now() < deadline) {
    items = await listAll(system, { limit: '500', ...query });
    if (done(items)) return items;
    await sleep(100);
  }
  throw new Error(
    `history never matched for ${JSON.stringify(query)}; last: ${JSON.stringify(items.slice(0, 5))}`,
  );
}

export const FINAL = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/** The history holds every id, each in a final state. */
export const allFinal =
  (ids: readonly string[]) =>
  (items: HistoryItem[]): boolean => {
    const byId = new Map(items.map((item) => [item.task_id, item]));
    return ids.every((id) => FINAL.has(byId.get(id)?.state ?? ''));
  };
