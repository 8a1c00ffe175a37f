import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskStatusBody, TestSystem } from './test-system.js';

/** One answer of `GET /tasks/{id}` and when (epoch ms, after the answer arrived) it was read. */
export interface Observation {
  at: number;
  body: TaskStatusBody;
}

/**
 * Polls `GET /tasks/{id}` until `done` holds for an answer, keeping every answer that differs from the one
 * before: the history of a task as seen from outside. Fails with that history on timeout.
 */
export async function watchTask(
  system: TestSystem,
  id: string,
  done: (body: TaskStatusBody) => boolean,
  timeoutMs = 30_000,
): Promise<Observation[]> {
  const seen: Observation[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await system.status(id);
    const at = Date.now();
    if (answer.status !== 200) throw new Error(`GET /tasks/${id} answered ${answer.status}`);
    const last = seen.at(-1);
    if (!last || JSON.stringify(last.body) !== JSON.stringify(answer.body))
      seen.push({ at, body: answer.body });
    if (done(answer.body)) return seen;
    await sleep(40);
  }
  throw new Error(`task ${id}: condition not met in ${timeoutMs} ms; seen: ${JSON.stringify(seen)}`);
}

/** The states of a history, without repeats: e.g. `['STARTED', 'PROGRESS', 'SUCCESS']`. */
export function stateSequence(history: Observation[]): string[] {
  return history.map((o) => o.body.state).filter((state, i, all) => i === 0 || all[i - 1] !== state);
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The outbox folder the workers of `system` write mail to when `SMTP_URL` is unset. */
export const outboxDir = (system: TestSystem): string => join(system.dir, 'outbox');

/** The .eml files in the outbox whose text contains `needle` (e.g. a unique subject). */
export async function mailsContaining(system: TestSystem, needle: string): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(outboxDir(system))).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const file of files) {
    const text = await readFile(join(outboxDir(system), file), 'utf8');
    if (text.includes(needle)) found.push(file);
  }
  return found;
}
