import { setTimeout as sleep } from 'node:timers/promises';
import { API_KEY, type HttpAnswer, type TaskStatusBody, type TestSystem } from './test-system.js';

export interface DocumentBody {
  id: string;
  title: string;
  filename: string;
  doc_type: string | null;
  embedding_status: string;
  chunk_count: number;
  error: string | null;
  embedding_model: string | null;
  task_id: string | null;
}

/** `GET /tasks/{id}` on a workflow: its kind and its members. */
export type WorkflowBody = TaskStatusBody & {
  workflow?: string;
  members?: { task_id: string; name: string; path: string; state: string }[];
};

export interface AcceptedBody {
  id: string;
  filename: string;
  embedding_status: string;
  task_id: string;
  status_url: string;
}

export interface SearchHitBody {
  document_id: string;
  chunk_index: number;
  text: string;
  score: number;
}

/** `POST /documents` as multipart, with the file under `field` (normally `file`). */
export async function upload(
  system: TestSystem,
  bytes: Uint8Array,
  filename: string,
  fields: Record<string, string> = {},
  field = 'file',
): Promise<HttpAnswer<AcceptedBody & { message?: string | string[] }>> {
  const form = new FormData();
  form.append(field, new Blob([bytes]), filename);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await system.fetch('/documents', {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}` },
    body: form,
  });
  const text = await response.text();
  const body = (text ? JSON.parse(text) : undefined) as AcceptedBody & { message?: string | string[] };
  return { status: response.status, body, headers: response.headers };
}

/** Polls `GET /documents/{id}` until it is completed or failed. */
export async function waitForDocument(
  system: TestSystem,
  id: string,
  states: string[] = ['completed', 'failed'],
  timeoutMs = 30_000,
): Promise<DocumentBody> {
  const deadline = Date.now() + timeoutMs;
  let last: HttpAnswer<DocumentBody> | undefined;
  while (Date.now() < deadline) {
    last = await system.request<DocumentBody>('GET', `/documents/${id}`);
    if (last.status === 200 && states.includes(last.body.embedding_status)) return last.body;
    await sleep(100);
  }
  throw new Error(`document ${id} never reached ${states.join('/')}: ${JSON.stringify(last?.body)}`);
}

export function search(system: TestSystem, q: string, k = 5): Promise<HttpAnswer<SearchHitBody[]>> {
  return system.request<SearchHitBody[]>('GET', `/documents/search?q=${encodeURIComponent(q)}&k=${k}`);
}
