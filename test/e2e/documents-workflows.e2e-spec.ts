import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { search, upload, waitForDocument, type DocumentBody, type WorkflowBody } from '../utils/documents.js';
import { E2E_TIMEOUT_MS, listWorkers, startWorker, waitFor } from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

/** Chunks per batch in these tests: a few dozen chunks make several batches. */
const BATCH = 4;

/** One sentence per chunk (CHUNK_SIZE 60, no overlap); `walrus` opens the text, `zebra` ends it. */
const SENTENCES = Array.from({ length: 38 }, (_, i) => {
  if (i === 0) return 'The walrus opens this long lesson about animals.';
  if (i === 37) return 'A zebra closes this long lesson about animals.';
  if (i === 21) return `Sentence ${i} holds the marker-x for failing runs.`;
  return `Sentence ${i} of the long lesson is plain filler text.`;
});
const LONG_TEXT = SENTENCES.join(' ');

describe('the original’s examples as real flows: batched vectorization, all-or-nothing, the demo chord', () => {
  let system: TestSystem;
  let uploads: string;
  let server: Server;
  let db: Database.Database;
  /** The toy embedding server refuses (400) any request holding this text. */
  let poison: string | undefined;
  /** Milliseconds the toy server takes per request. */
  let delayMs = 100;
  let largeId = '';

  /** A toy embedding server: one dimension per keyword, answers after `delayMs`. */
  const KEYWORDS = ['walrus', 'zebra', 'marker', 'filler'];
  const embed = (text: string): number[] => [
    ...KEYWORDS.map((k) => (text.toLowerCase().includes(k) ? 1 : 0)),
    0.01,
  ];

  const chunkIds = (documentId: string): { id: string; chunk_index: number }[] =>
    db
      .prepare('SELECT id, chunk_index FROM document_chunks WHERE document_id = ? ORDER BY chunk_index')
      .all(documentId) as { id: string; chunk_index: number }[];
  const staged = (documentId: string): { rows: number; embedded: number } =>
    db
      .prepare(
        'SELECT count(*) AS rows, count(embedding) AS embedded FROM document_chunks_staged WHERE document_id = ?',
      )
      .get(documentId) as { rows: number; embedded: number };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (part: Buffer) => (raw += part.toString()));
      req.on('end', () => {
        const body = JSON.parse(raw) as { input: string[] };
        setTimeout(() => {
          if (poison !== undefined && body.input.some((t) => t.includes(poison!))) {
            res.writeHead(400).end('{"error":"refused by the test"}');
            return;
          }
          const data = body.input.map((text, index) => ({ index, embedding: embed(text) }));
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
        }, delayMs);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    uploads = mkdtempSync(join(tmpdir(), 'codehubot-uploads-'));
    system = await TestSystem.start({
      env: {
        UPLOAD_DIR: uploads,
        EMBEDDING_PROVIDER: 'openai',
        EMBEDDING_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        EMBEDDING_MODEL: 'toy-embed',
        CHUNK_SIZE: '60',
        CHUNK_OVERLAP: '0',
        VECTORIZE_BATCH_CHUNKS: String(BATCH),
        WORKER_DEAD_AFTER: '3',
      },
    });
    // two worker processes of two slots each: the batches spread over both
    await startWorker(system, ['--concurrency', '2']);
    await startWorker(system, ['--concurrency', '2']);
    db = new Database(join(system.dir, 'db.sqlite'), { readonly: true });
  });

  afterAll(async () => {
    db?.close();
    await system?.stop();
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    rmSync(uploads, { recursive: true, force: true });
  });

  it('vectorizes a large document as a chord of batches, with one progress and one status', async () => {
    const answer = await upload(system, Buffer.from(LONG_TEXT), 'animals.txt');
    expect(answer.status).toBe(202);
    largeId = answer.body.id;
    const chain = (await system.waitForState(answer.body.task_id, [
      'STARTED',
      'PROGRESS',
      'SUCCESS',
    ])) as WorkflowBody;
    const vectorizeId = chain.members![1].task_id;
    // the vectorization reads as running, with progress over its batches, until its chord is done
    const seen: { state: string; current?: number; total?: number }[] = [];
    await waitFor(
      'the vectorization to finish',
      async () => {
        const { body } = await system.status(vectorizeId);
        seen.push(body);
        return ['SUCCESS', 'FAILURE'].includes(body.state) && body;
      },
      60_000,
      20,
    );
    const document = await waitForDocument(system, largeId);
    expect(document).toMatchObject({ embedding_status: 'completed', error: null });
    const batches = Math.ceil(document.chunk_count / BATCH);
    expect(batches).toBeGreaterThanOrEqual(8);
    const progress = seen.filter((s) => s.state === 'PROGRESS');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.total === batches + 1)).toBe(true);

    const vectorize = (await system.status(vectorizeId)).body;
    expect(vectorize).toMatchObject({
      state: 'SUCCESS',
      name: 'tasks.embedding.vectorize',
      result: { success: true, document_id: largeId, embeddings_count: document.chunk_count },
    });
    const chord = (await system.status(vectorize.replaced_by ?? '')).body as WorkflowBody;
    expect(chord).toMatchObject({ state: 'SUCCESS', workflow: 'chord', total: batches + 1 });
    expect(chord.members?.map((m) => m.name)).toEqual([
      ...Array<string>(batches).fill('tasks.embedding.vectorize_batch'),
      'tasks.embedding.save',
    ]);
    const first = (await system.status(chord.members![0].task_id)).body;
    expect(first).toMatchObject({ queue: 'embedding', result: { start: 0, end: BATCH, embedded: BATCH } });
    // the whole upload chain's result is the vectorization's
    expect((await system.waitForState(answer.body.task_id, 'SUCCESS')).result).toEqual(vectorize.result);

    // every chunk once, in order; nothing left staged; both ends searchable
    const rows = chunkIds(largeId);
    expect(rows.map((r) => r.chunk_index)).toEqual([...Array(document.chunk_count).keys()]);
    expect(staged(largeId)).toEqual({ rows: 0, embedded: 0 });
    expect((await search(system, 'walrus', 1)).body[0]).toMatchObject({
      document_id: largeId,
      chunk_index: 0,
    });
    expect((await search(system, 'zebra', 1)).body[0]).toMatchObject({
      document_id: largeId,
      chunk_index: document.chunk_count - 1,
    });
  });

  it('keeps the old chunks, unchanged and searchable, when a batch of a re-vectorization fails', async () => {
    const before = chunkIds(largeId);
    const count = before.length;
    poison = 'marker-x';
    try {
      const answer = await system.request<{ task_id: string }>('POST', `/documents/${largeId}/vectorize`);
      expect(answer.status).toBe(202);
      // while the batches run, search and the chunks table show only the old set; the new one is staged
      let stagedSeen = 0;
      await waitFor(
        'the re-vectorization to fail',
        async () => {
          expect(chunkIds(largeId)).toEqual(before);
          stagedSeen = Math.max(stagedSeen, staged(largeId).embedded);
          const { body } = await system.status(answer.body.task_id);
          return ['SUCCESS', 'FAILURE'].includes(body.state) && body;
        },
        60_000,
        20,
      );
      expect(stagedSeen).toBeGreaterThan(0);
      expect(stagedSeen).toBeLessThan(count);
      const failed = (await system.status(answer.body.task_id)).body;
      expect(failed.state).toBe('FAILURE');
      expect(failed.error).toContain('tasks.embedding.vectorize_batch');
      expect(failed.error).toContain('400');
      const document = await waitForDocument(system, largeId);
      expect(document).toMatchObject({ embedding_status: 'failed', chunk_count: count });
      expect(document.error).toMatch(/400/);
      expect(chunkIds(largeId)).toEqual(before);
      expect((await search(system, 'zebra', 1)).body[0]).toMatchObject({
        document_id: largeId,
        chunk_index: count - 1,
      });
      // the failed run's rows stay staged, never searchable, until the next run supersedes them
      expect(staged(largeId).rows).toBe(count);
    } finally {
      poison = undefined;
    }
    // a later run replaces the whole set at once
    const again = await system.request<{ task_id: string }>('POST', `/documents/${largeId}/vectorize`);
    await system.waitForState(again.body.task_id, 'SUCCESS', 60_000);
    const after = chunkIds(largeId);
    expect(staged(largeId)).toEqual({ rows: 0, embedded: 0 });
    expect(after.map((r) => r.chunk_index)).toEqual(before.map((r) => r.chunk_index));
    expect(after.some((r) => before.some((b) => b.id === r.id))).toBe(false);
    expect(await waitForDocument(system, largeId)).toMatchObject({
      embedding_status: 'completed',
      chunk_count: count,
      error: null,
    });
  });

  it('vectorizes many documents as one group, a large one among them', async () => {
    const small = await upload(system, Buffer.from('A short walrus note.'), 'short.txt');
    await waitForDocument(system, small.body.id);
    const answer = await system.request<{ task_id: string }>('POST', '/documents/vectorize', {
      document_ids: [largeId, small.body.id],
    });
    expect(answer.status).toBe(202);
    const done = (await system.waitForState(answer.body.task_id, 'SUCCESS', 60_000)) as WorkflowBody;
    const [large, short] = await Promise.all(
      [largeId, small.body.id].map(
        async (id) => (await system.request<DocumentBody>('GET', `/documents/${id}`)).body,
      ),
    );
    expect(done.result).toEqual([
      { success: true, document_id: largeId, embeddings_count: large.chunk_count },
      { success: true, document_id: small.body.id, embeddings_count: 1 },
    ]);
    expect([large.embedding_status, short.embedding_status]).toEqual(['completed', 'completed']);
    expect(large.task_id).toBe(done.members![0].task_id);
  });

  it('completes a batched vectorization whose worker is killed mid-way, with each chunk once', async () => {
    delayMs = 2000;
    try {
      const [a] = system.workers;
      const answer = await system.request<{ task_id: string }>('POST', `/documents/${largeId}/vectorize`);
      // killed while it embeds a batch (its heartbeat lists it, and the batch has not finished)
      const lost = await waitFor(
        'worker A to run a batch',
        async () => {
          const mine = (await listWorkers(system)).find((w) => w.pid === a.pid);
          for (const task of mine?.active ?? []) {
            if (task.name !== 'tasks.embedding.vectorize_batch') continue;
            const { body } = await system.status(task.task_id);
            if (['STARTED', 'PROGRESS'].includes(body.state)) return task;
          }
          return undefined;
        },
        30_000,
        50,
      );
      expect(await a.stop('SIGKILL')).toBeNull();
      const done = await system.waitForState(answer.body.task_id, ['SUCCESS', 'FAILURE'], 90_000);
      // the batch it was running ran again elsewhere, writing the same staged rows
      expect((await system.status(lost.task_id)).body).toMatchObject({ state: 'SUCCESS', redeliveries: 1 });
      expect(done.state).toBe('SUCCESS');
      const document = await waitForDocument(system, largeId);
      expect(document).toMatchObject({ embedding_status: 'completed', error: null });
      expect(chunkIds(largeId).map((r) => r.chunk_index)).toEqual([...Array(document.chunk_count).keys()]);
      expect(staged(largeId)).toEqual({ rows: 0, embedded: 0 });
    } finally {
      delayMs = 100;
    }
  });

  it('the demo chord: process items in parallel, then one report over all results', async () => {
    const items = [
      { id: 'ann', score: 90, bonus: 5 },
      { id: 'bo', score: 72 },
      { id: 7, score: 64, note: 'late' },
    ];
    const answer = await system.request<{ task_id: string }>('POST', '/workflows', {
      chord: {
        header: items.map((item) => ({ task: 'tasks.process_item', args: [item] })),
        body: { task: 'tasks.generate_report', kwargs: { title: 'Quiz 1' } },
      },
    });
    expect(answer.status).toBe(202);
    const done = (await system.waitForState(
      answer.body.task_id,
      ['SUCCESS', 'FAILURE'],
      20_000,
    )) as WorkflowBody;
    expect(done).toMatchObject({ state: 'SUCCESS', workflow: 'chord', total: 4 });
    expect(done.result).toEqual({
      title: 'Quiz 1',
      items: 3,
      processed: 3,
      fields: 8,
      total: 90 + 5 + 72 + 7 + 64,
      item_ids: ['ann', 'bo', 7],
    });
    const first = (await system.status(done.members![0].task_id)).body;
    expect(first).toMatchObject({
      name: 'tasks.process_item',
      result: { item_id: 'ann', processed: true, fields: 3, total: 95 },
    });
  });
});
