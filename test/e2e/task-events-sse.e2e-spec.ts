import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_KEY, TestSystem, type TaskStatusBody } from '../utils/test-system.js';

interface SseEvent {
  event?: string;
  id?: string;
  data: string;
}

interface SseStream {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  /** The body as read, for failure messages. */
  text: string;
}

/** Splits a text/event-stream body into events (data lines joined with `\n`, comments dropped). */
function parseEvents(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event: SseEvent = { data: '' };
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
      event.data = data.join('\n');
      return event;
    })
    .filter((event) => event.data !== '');
}

/**
 * Opens `GET /tasks/{id}/events` and reads the body stream until the server closes it. Fails if the stream is
 * still open after `timeoutMs`: a stream that never ends after a final state is the bug looked for.
 */
async function readEvents(
  system: TestSystem,
  id: string,
  timeoutMs = 30_000,
  headers: Record<string, string> = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`stream still open after ${timeoutMs} ms`)),
    timeoutMs,
  );
  let text = '';
  try {
    const response = await system.fetch(`/tasks/${id}/events`, {
      headers: { authorization: `Bearer ${API_KEY}`, accept: 'text/event-stream', ...headers },
      signal: abort.signal,
    });
    const contentType = response.headers.get('content-type');
    if (!response.body) return { status: response.status, contentType, events: [], text };
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new Error(`${String(error)}; read so far:\n${text}`, { cause: error });
      }
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    text += decoder.decode();
    return { status: response.status, contentType, events: parseEvents(text), text };
  } finally {
    clearTimeout(timer);
  }
}

/** The keys `GET /tasks/{id}` may answer; anything else in an event would be a different shape. */
const STATUS_KEYS = new Set([
  'task_id',
  'state',
  'status',
  'name',
  'queue',
  'retries',
  'date_done',
  'eta',
  'current',
  'total',
  'percent',
  'result',
  'error',
]);

function expectStatusShape(status: TaskStatusBody, id: string, name: string): void {
  expect(status).toMatchObject({ task_id: id, name, queue: 'default' });
  expect(typeof status.state).toBe('string');
  expect(typeof status.status).toBe('string');
  expect(typeof status.retries).toBe('number');
  for (const key of Object.keys(status)) expect(STATUS_KEYS).toContain(key);
  if (status.state === 'PROGRESS') {
    expect(typeof status.current).toBe('number');
    expect(typeof status.total).toBe('number');
    expect(typeof status.percent).toBe('number');
  } else {
    expect(status.current).toBeUndefined();
  }
  if (status.state !== 'SUCCESS') expect(status.result).toBeUndefined();
}

describe('GET /tasks/{task_id}/events (Server-Sent Events)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    // a keep-alive comment every second instead of 15 s, so that a test sees several
    system = await TestSystem.start({ env: { SSE_KEEPALIVE: '1' } });
    await system.startWorker(['--queues', 'default', '--concurrency', '4']);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('streams every state and progress step of tasks.long_running_task, then closes after SUCCESS', async () => {
    const submitted = await system.submit('tasks.long_running_task', { args: [3] });
    expect(submitted.status).toBe(202);
    const id = submitted.body.task_id;

    const stream = await readEvents(system, id);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    expect(stream.events.length).toBeGreaterThan(0);

    const statuses = stream.events.map((event) => JSON.parse(event.data) as TaskStatusBody);
    for (const status of statuses) expectStatusShape(status, id, 'tasks.long_running_task');

    const progress = statuses.filter((s) => s.state === 'PROGRESS');
    expect(progress.map((s) => s.current)).toEqual([1, 2, 3]);
    expect(progress.every((s) => s.total === 3)).toBe(true);
    const percents = progress.map((s) => s.percent ?? 0);
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThan(percents[i - 1]);
    expect(percents.at(-1)).toBe(100);

    // states only move forward, and SUCCESS is the last event: the server closed the stream after it
    const final = statuses.at(-1);
    expect(final).toMatchObject({ state: 'SUCCESS', result: { status: 'completed', result: 3 } });
    expect(statuses.filter((s) => s.state === 'SUCCESS')).toHaveLength(1);
    const order = ['PENDING', 'STARTED', 'PROGRESS', 'SUCCESS'];
    const ranks = statuses.map((s) => order.indexOf(s.state));
    expect(ranks).not.toContain(-1);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);

    // each event's data is what GET /tasks/{id} answers: the final one is exactly today's answer
    const now = await system.status(id);
    expect(now.status).toBe(200);
    expect(final).toEqual(now.body);
  });

  it('sends one SUCCESS event and closes for a task that has already finished', async () => {
    const submitted = await system.submit('tasks.add', { args: [20, 22] });
    const done = await system.waitForState(submitted.body.task_id, 'SUCCESS');

    const stream = await readEvents(system, submitted.body.task_id, 15_000);
    expect(stream.status).toBe(200);
    expect(stream.events).toHaveLength(1);
    const status = JSON.parse(stream.events[0].data) as TaskStatusBody;
    expectStatusShape(status, submitted.body.task_id, 'tasks.add');
    expect(status).toEqual(done);
    expect(status).toMatchObject({ state: 'SUCCESS', result: 42 });
  });

  it('answers 404 for an unknown task id, whatever its shape', async () => {
    const unknown = await readEvents(system, '00000000-0000-4000-8000-000000000000', 15_000);
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/json/);
    expect(JSON.parse(unknown.text)).toMatchObject({ statusCode: 404 });

    const malformed = await readEvents(system, 'not-a-uuid', 15_000);
    expect(malformed.status).toBe(404);
  });

  it('sends a keep-alive comment every SSE_KEEPALIVE seconds while a task waits for its countdown', async () => {
    const submitted = await system.submit('tasks.add', { args: [1, 2], countdown: 4 });
    const started = Date.now();
    const stream = await readEvents(system, submitted.body.task_id);
    expect(Date.now() - started).toBeGreaterThan(3_000);
    const statuses = stream.events.map((event) => (JSON.parse(event.data) as TaskStatusBody).state);
    expect(statuses[0]).toBe('SCHEDULED');
    expect(statuses.at(-1)).toBe('SUCCESS');
    // comment lines between the first event and the next: the quiet stream is kept alive
    const quiet = stream.text.slice(stream.text.indexOf('SCHEDULED'), stream.text.indexOf('STARTED'));
    expect(quiet.match(/^: keep-alive$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('numbers events <n>-<STATE>; a reconnect with Last-Event-ID gets the current state at once, then 204 once it has the final one', async () => {
    const submitted = await system.submit('tasks.add', { args: [2, 3], countdown: 2 });
    const id = submitted.body.task_id;
    // the first connection is cut after its first event, before the task runs
    const abort = new AbortController();
    const first = await fetch(`${system.baseUrl}/tasks/${id}/events`, {
      headers: { authorization: `Bearer ${API_KEY}` },
      signal: abort.signal,
    });
    const reader = (first.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!/data:.*\n\n/.test(text)) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`stream closed before its first event: ${text}`);
      text += new TextDecoder().decode(chunk.value);
    }
    abort.abort();
    const [seen] = parseEvents(text);
    expect(seen.id).toBe('1-SCHEDULED');

    const done = await system.waitForState(id, 'SUCCESS');
    const started = Date.now();
    const resumed = await readEvents(system, id, 15_000, { 'last-event-id': seen.id ?? '' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(resumed.status).toBe(200);
    expect(resumed.events).toHaveLength(1);
    expect(resumed.events[0].id).toBe('2-SUCCESS');
    expect(JSON.parse(resumed.events[0].data)).toEqual(done);

    // the client has the final state: 204 tells an EventSource to stop reconnecting
    const after = await readEvents(system, id, 15_000, { 'last-event-id': '2-SUCCESS' });
    expect(after.status).toBe(204);
    expect(after.events).toHaveLength(0);
  });

  it('needs the API key like every other task route', async () => {
    const response = await system.fetch('/tasks/00000000-0000-4000-8000-000000000000/events');
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });
});
