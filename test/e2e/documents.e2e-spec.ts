import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDocx, makePdf, PNG_BYTES } from '../utils/document-fixtures.js';
import {
  search,
  upload,
  waitForDocument,
  type AcceptedBody,
  type DocumentBody,
  type WorkflowBody,
} from '../utils/documents.js';
import { TestSystem } from '../utils/test-system.js';

const MAX_BYTES = 200_000;

/** One document per supported type, each with a term no other one has. */
const SAMPLES: { name: string; term: string; bytes: () => Promise<Buffer> | Buffer }[] = [
  {
    name: 'photosynthesis.txt',
    term: 'chlorophyll',
    bytes: () =>
      Buffer.from(
        '光合作用发生在叶绿体中。Plants use chlorophyll to turn sunlight, water and CO2 into sugar.',
      ),
  },
  {
    name: 'git-basics.md',
    term: 'rebase',
    bytes: () =>
      Buffer.from('# Git 基础\n\n- **commit** 保存快照\n- `rebase` rewrites history onto another branch.\n'),
  },
  {
    name: 'silk-road.html',
    term: 'caravan',
    bytes: () =>
      Buffer.from(
        '<!doctype html><html><head><title>丝绸之路</title><script>var caravanScript = 1</script></head>' +
          '<body><h1>丝绸之路</h1><p>A caravan carried silk from Chang&#39;an to the west.</p></body></html>',
      ),
  },
  {
    name: 'ohm.pdf',
    term: 'voltmeter',
    bytes: () => makePdf(['欧姆定律：电流等于电压除以电阻。', 'Measure with a voltmeter and an ammeter.']),
  },
  {
    name: 'binary-search.docx',
    term: 'logarithmic',
    bytes: () => makeDocx(['二分查找每次把范围缩小一半。', 'Binary search takes logarithmic time.']),
  },
];

describe('documents: upload → extract → chunk → embed → store → search', () => {
  let system: TestSystem;
  let uploads: string;
  let files: Server;
  let filesUrl: string;
  let db: Database.Database;
  const accepted = new Map<string, AcceptedBody>();

  const chunkRows = (documentId: string): number =>
    (
      db.prepare('SELECT count(*) AS n FROM document_chunks WHERE document_id = ?').get(documentId) as {
        n: number;
      }
    ).n;

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'codehubot-uploads-'));
    files = createServer((req, res) => {
      if (req.url === '/lesson.md') {
        res.writeHead(200, { 'content-type': 'text/markdown' });
        res.end('# 地震\n\n地震是地壳快速释放能量。A seismograph records the tremor.');
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/lesson.md' }).end();
      } else if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' }).end();
      } else if (req.url === '/big.txt') {
        res.writeHead(200, { 'content-type': 'text/plain' }); // no Content-Length: streamed, counted as read
        for (let i = 0; i < 30; i++) res.write('x'.repeat(10_000));
        res.end();
      } else if (req.url === '/blank.pdf') {
        res.writeHead(200, { 'content-type': 'application/pdf' }).end(makePdf([' ']));
      } else if (req.url === '/photo.png') {
        res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_BYTES);
      } else {
        res.writeHead(404).end('not here');
      }
    });
    await new Promise<void>((done) => files.listen(0, '127.0.0.1', done));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    system = await TestSystem.start({
      env: {
        EMBEDDING_PROVIDER: 'hash',
        UPLOAD_DIR: uploads,
        UPLOAD_MAX_BYTES: String(MAX_BYTES),
        DOWNLOAD_ALLOW_PRIVATE: 'true',
        CHUNK_SIZE: '120',
        CHUNK_OVERLAP: '30',
      },
    });
    await system.startWorker(['--concurrency', '2']);
    db = new Database(join(system.dir, 'db.sqlite'), { readonly: true });
  });

  afterAll(async () => {
    db?.close();
    await system?.stop();
    files?.closeAllConnections();
    await new Promise((done) => files?.close(done));
    rmSync(uploads, { recursive: true, force: true });
  });

  it('accepts every supported type at once (202), stores it under our name and vectorizes it', async () => {
    for (const sample of SAMPLES) {
      const answer = await upload(system, await sample.bytes(), sample.name);
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ filename: sample.name, embedding_status: 'pending' });
      expect(answer.body.status_url).toBe(`/tasks/${answer.body.task_id}`);
      accepted.set(sample.name, answer.body);
    }
    for (const sample of SAMPLES) {
      const { id, task_id } = accepted.get(sample.name)!;
      const document = await waitForDocument(system, id);
      expect(document).toMatchObject({
        embedding_status: 'completed',
        error: null,
        embedding_model: 'hash-v1-1024',
      });
      expect(document.chunk_count).toBeGreaterThan(0);
      expect(chunkRows(id)).toBe(document.chunk_count);
      // the document's task is its chain, extract → vectorize; its result is the vectorization's
      const chain = (await system.waitForState(task_id, 'SUCCESS')) as WorkflowBody;
      expect(document.task_id).toBe(task_id);
      expect(chain.workflow).toBe('chain');
      expect(chain.result).toEqual({
        success: true,
        document_id: id,
        embeddings_count: document.chunk_count,
      });
      expect(chain.members?.map((m) => [m.name, m.state])).toEqual([
        ['tasks.documents.extract', 'SUCCESS'],
        ['tasks.embedding.vectorize', 'SUCCESS'],
      ]);
      const vectorize = await system.waitForState(chain.members![1].task_id, 'SUCCESS');
      expect(vectorize).toMatchObject({ name: 'tasks.embedding.vectorize', queue: 'embedding' });
    }
    expect(readdirSync(uploads).sort()).toEqual(
      [...accepted.values()].map((a) => `${a.id}.${a.filename.split('.').pop()}`).sort(),
    );
  });

  it('finds each document by its own term, best first, with the seed shape', async () => {
    for (const sample of SAMPLES) {
      const answer = await search(system, sample.term, 3);
      expect(answer.status).toBe(200);
      expect(answer.body[0]).toMatchObject({ document_id: accepted.get(sample.name)!.id });
      expect(answer.body[0].text.toLowerCase()).toContain(sample.term);
      expect(Object.keys(answer.body[0]).sort()).toEqual([
        'chunk_index',
        'document_id',
        'score',
        'text',
        'vector_score',
      ]);
      const scores = answer.body.map((h) => h.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    }
    // the HTML's script is not text; the PDF's Chinese survives extraction
    expect(
      (await search(system, 'caravanScript', 5)).body.every((h) => !h.text.includes('caravanScript')),
    ).toBe(true);
    const ohm = await search(system, '电流等于电压除以电阻', 1);
    expect(ohm.body[0].document_id).toBe(accepted.get('ohm.pdf')!.id);
  });

  it('refuses bad uploads with a clear 4xx', async () => {
    const cases: [Promise<{ status: number; body: { message?: string | string[] } }>, number, RegExp][] = [
      [upload(system, Buffer.alloc(0), 'empty.txt'), 400, /empty/],
      [upload(system, Buffer.alloc(MAX_BYTES + 1, 'a'), 'big.txt'), 413, /too large|UPLOAD_MAX_BYTES/i],
      [upload(system, PNG_BYTES, 'photo.png'), 415, /unsupported content/],
      [upload(system, PNG_BYTES, 'photo.txt'), 415, /unsupported content/],
      [upload(system, Buffer.from('plain words'), 'fake.pdf'), 415, /content is plain text/],
      [upload(system, Buffer.from('a,b'), 'table.csv'), 415, /"\.csv" files are not supported/],
      [upload(system, Buffer.from('x'), 'x.txt', {}, 'document'), 400, /Unexpected file field - document/],
      [system.request('POST', '/documents', {}), 400, /file/],
      [system.request('POST', '/documents', { url: 'ftp://x/y' }), 400, /url must be an http/],
      [system.request('GET', '/documents/search?k=3'), 400, /q: a query text is required/],
      [system.request('GET', '/documents/search?q=x&k=0'), 400, /k must be a whole number/],
      [system.request('GET', '/documents?status=done'), 400, /status must be one of/],
      [system.request('GET', '/documents/not-a-uuid'), 404, /No document not-a-uuid/],
    ];
    for (const [pending, status, message] of cases) {
      const answer = await pending;
      expect({ status: answer.status, message: String(answer.body.message) }).toEqual({
        status,
        message: expect.stringMatching(message),
      });
    }
  });

  it('never lets a client file name choose where the file goes', async () => {
    const answer = await upload(system, Buffer.from('路径穿越 traversal attempt'), '../../escape.txt', {
      title: '路径穿越',
    });
    expect(answer.status).toBe(202);
    expect(answer.body.filename).toBe('escape.txt');
    expect((await system.request<{ title: string }>('GET', `/documents/${answer.body.id}`)).body.title).toBe(
      '路径穿越',
    );
    expect(existsSync(join(uploads, '..', '..', 'escape.txt'))).toBe(false);
    expect(existsSync(join(uploads, `${answer.body.id}.txt`))).toBe(true);
    await waitForDocument(system, answer.body.id);
  });

  it('re-vectorizes without duplicating chunks, and answers 404 for an unknown id', async () => {
    const { id } = accepted.get('photosynthesis.txt')!;
    const before = chunkRows(id);
    const first = await system.request<{ message: string; task_id: string; status_url: string }>(
      'POST',
      `/documents/${id}/vectorize`,
    );
    const second = await system.request<{ task_id: string }>('POST', `/documents/${id}/vectorize`);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      message: 'Vectorization queued',
      task_id: expect.any(String),
      status_url: `/tasks/${first.body.task_id}`,
    });
    await system.waitForState(first.body.task_id, 'SUCCESS');
    await system.waitForState(second.body.task_id, 'SUCCESS');
    expect(chunkRows(id)).toBe(before);
    const indexes = db
      .prepare('SELECT chunk_index FROM document_chunks WHERE document_id = ? ORDER BY chunk_index')
      .all(id) as { chunk_index: number }[];
    expect(indexes.map((r) => r.chunk_index)).toEqual([...Array(before).keys()]);
    const unknown = await system.request('POST', '/documents/00000000-0000-4000-8000-000000000000/vectorize');
    expect(unknown.status).toBe(404);
  });

  it('fails a vectorization of a missing document permanently, without retries', async () => {
    const submitted = await system.submit('tasks.embedding.vectorize', {
      args: ['00000000-0000-4000-8000-000000000001'],
    });
    const failed = await system.waitForState(submitted.body.task_id, 'FAILURE');
    expect(failed.error).toMatch(/not found/);
    expect(failed.retries).toBe(0);
  });

  it('fails a file without text permanently (the error crosses the extraction thread)', async () => {
    const answer = await upload(system, makePdf([' ']), 'blank.pdf');
    expect(answer.status).toBe(202);
    const failed = (await system.waitForState(answer.body.task_id, 'FAILURE')) as WorkflowBody;
    expect(failed.error).toMatch(/chain\[0\].*tasks\.documents\.extract.*no text found in the pdf file/s);
    const [extract, vectorize] = failed.members ?? [];
    expect((await system.waitForState(extract.task_id, 'FAILURE')).retries).toBe(0);
    // the later step never ran: never even queued
    expect(vectorize.state).toBe('REVOKED');
    expect((await system.status(vectorize.task_id)).status).toBe(404);
    expect(await waitForDocument(system, answer.body.id)).toMatchObject({ embedding_status: 'failed' });
  });

  it('lists, reads and deletes documents with their chunks and file', async () => {
    const list = await system.request<{ items: { id: string }[]; total: number }>(
      'GET',
      '/documents?limit=2',
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.total).toBeGreaterThanOrEqual(SAMPLES.length);
    const { id } = accepted.get('git-basics.md')!;
    expect((await system.request('GET', `/documents/${id}`)).status).toBe(200);
    expect((await system.request('DELETE', `/documents/${id}`)).status).toBe(204);
    expect((await system.request('GET', `/documents/${id}`)).status).toBe(404);
    expect((await system.request('DELETE', `/documents/${id}`)).status).toBe(404);
    expect(chunkRows(id)).toBe(0);
    expect(existsSync(join(uploads, `${id}.md`))).toBe(false);
    expect((await search(system, 'rebase', 5)).body.some((h) => h.document_id === id)).toBe(false);
  });

  it('runs the URL chain download → extract → vectorize as one workflow, the document naming it', async () => {
    const answer = await system.request<AcceptedBody>('POST', '/documents', {
      url: `${filesUrl}/lesson.md`,
      title: '地震',
    });
    expect(answer.status).toBe(202);
    expect(answer.body.status_url).toBe(`/tasks/${answer.body.task_id}`);
    const chain = (await system.waitForState(answer.body.task_id, 'SUCCESS')) as WorkflowBody;
    const document = await waitForDocument(system, answer.body.id);
    expect(document).toMatchObject({ embedding_status: 'completed', doc_type: 'md', title: '地震' });
    expect(document.task_id).toBe(answer.body.task_id);
    expect(chain).toMatchObject({
      workflow: 'chain',
      current: 3,
      total: 3,
      result: { success: true, document_id: answer.body.id, embeddings_count: document.chunk_count },
    });
    expect(chain.members?.map((m) => [m.path, m.name, m.state])).toEqual([
      ['chain[0]', 'tasks.documents.download', 'SUCCESS'],
      ['chain[1]', 'tasks.documents.extract', 'SUCCESS'],
      ['chain[2]', 'tasks.embedding.vectorize', 'SUCCESS'],
    ]);
    // each step is an ordinary task; no result names a next task any more
    const download = await system.waitForState(chain.members![0].task_id, 'SUCCESS');
    expect(download.result).toEqual({
      document_id: answer.body.id,
      size: expect.any(Number),
      doc_type: 'md',
    });
    const extract = await system.waitForState(chain.members![1].task_id, 'SUCCESS');
    expect(extract.result).toEqual({ document_id: answer.body.id, characters: expect.any(Number) });
    expect((await search(system, 'seismograph', 1)).body[0].document_id).toBe(answer.body.id);
    const moved = await system.request<AcceptedBody>('POST', '/documents', { url: `${filesUrl}/moved` });
    expect(await waitForDocument(system, moved.body.id)).toMatchObject({ embedding_status: 'completed' });
  });

  it('stops the URL chain at a failing step: the document reads failed, later steps never run', async () => {
    const answer = await system.request<AcceptedBody>('POST', '/documents', { url: `${filesUrl}/blank.pdf` });
    const failed = (await system.waitForState(answer.body.task_id, 'FAILURE')) as WorkflowBody;
    expect(failed.members?.map((m) => [m.name, m.state])).toEqual([
      ['tasks.documents.download', 'SUCCESS'],
      ['tasks.documents.extract', 'FAILURE'],
      ['tasks.embedding.vectorize', 'REVOKED'],
    ]);
    expect(failed.error).toContain('chain[1]');
    expect(failed.error).toContain(failed.members![1].task_id);
    expect((await system.status(failed.members![2].task_id)).status).toBe(404);
    const document = await waitForDocument(system, answer.body.id);
    expect(document).toMatchObject({ embedding_status: 'failed', chunk_count: 0, doc_type: 'pdf' });
    expect(document.error).toMatch(/no text found in the pdf file/);
    expect(chunkRows(answer.body.id)).toBe(0);
  });

  it('fails a URL chain that cannot be fetched, is too big or of the wrong type', async () => {
    for (const [path, reason] of [
      ['/missing.txt', /HTTP 404/],
      ['/big.txt', /over UPLOAD_MAX_BYTES/],
      ['/photo.png', /unsupported content|not supported/],
      ['/loop', /more than 3 redirects/],
    ] as const) {
      const answer = await system.request<AcceptedBody>('POST', '/documents', { url: `${filesUrl}${path}` });
      expect(answer.status).toBe(202);
      const failed = (await system.waitForState(answer.body.task_id, 'FAILURE')) as WorkflowBody;
      expect(failed.error).toMatch(reason);
      const [download, ...later] = failed.members ?? [];
      expect((await system.waitForState(download.task_id, 'FAILURE')).retries).toBe(0);
      expect(later.map((m) => m.state)).toEqual(['REVOKED', 'REVOKED']);
      const document = await waitForDocument(system, answer.body.id);
      expect(document.embedding_status).toBe('failed');
      expect(document.error).toMatch(reason);
    }
  });
  describe('POST /documents/vectorize: many documents as one group', () => {
    const UNKNOWN = '00000000-0000-4000-8000-0000000000aa';

    it('queues a group whose result lists each vectorization in order; each document names its member', async () => {
      const ids = ['photosynthesis.txt', 'silk-road.html', 'ohm.pdf'].map((name) => accepted.get(name)!.id);
      const counts = ids.map((id) => chunkRows(id));
      const answer = await system.request<{ task_id: string; status_url: string }>(
        'POST',
        '/documents/vectorize',
        { document_ids: ids },
      );
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({
        task_id: expect.any(String),
        status_url: `/tasks/${answer.body.task_id}`,
      });
      const done = (await system.waitForState(answer.body.task_id, 'SUCCESS', 30_000)) as WorkflowBody;
      expect(done).toMatchObject({ workflow: 'group', current: 3, total: 3 });
      expect(done.result).toEqual(
        ids.map((id, i) => ({ success: true, document_id: id, embeddings_count: counts[i] })),
      );
      const documents = await Promise.all(
        ids.map(async (id) => (await system.request<DocumentBody>('GET', `/documents/${id}`)).body),
      );
      expect(documents.map((d) => [d.embedding_status, d.chunk_count])).toEqual(
        counts.map((n) => ['completed', n]),
      );
      expect(documents.map((d) => d.task_id)).toEqual(done.members?.map((m) => m.task_id));
      expect(ids.map((id) => chunkRows(id))).toEqual(counts);
    });

    it('answers 404 naming a missing document, and queues nothing', async () => {
      const known = accepted.get('photosynthesis.txt')!.id;
      const before = await system.request<DocumentBody>('GET', `/documents/${known}`);
      const answer = await system.request<{ message: string }>('POST', '/documents/vectorize', {
        document_ids: [known, UNKNOWN],
      });
      expect(answer.status).toBe(404);
      expect(answer.body.message).toBe(`No document ${UNKNOWN}`);
      const after = await system.request<DocumentBody>('GET', `/documents/${known}`);
      expect(after.body.task_id).toBe(before.body.task_id);
    });

    it('refuses a bad list with a 400 naming document_ids', async () => {
      const known = accepted.get('photosynthesis.txt')!.id;
      const tooMany = Array.from(
        { length: 1001 },
        (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      );
      for (const [body, message] of [
        [{}, /document_ids/],
        [{ document_ids: [] }, /document_ids should not be empty/],
        [{ document_ids: [known, known] }, /document_ids.*unique/],
        [{ document_ids: ['not-a-uuid'] }, /document_ids must be a UUID/],
        [{ document_ids: known }, /document_ids must be an array/],
        [{ document_ids: tooMany }, /document_ids must contain no more than 1000 elements/],
        [{ document_ids: [known], extra: 1 }, /property extra should not exist/],
      ] as const) {
        const answer = await system.request<{ message: string | string[] }>(
          'POST',
          '/documents/vectorize',
          body,
        );
        expect({ status: answer.status, message: String(answer.body.message) }).toEqual({
          status: 400,
          message: expect.stringMatching(message),
        });
      }
    });
  });
});
