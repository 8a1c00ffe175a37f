import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../utils/app-process.js';
import { postgresDatabaseUrl } from '../utils/databases.js';
import { upload, waitForDocument, type SearchHitBody } from '../utils/documents.js';
import { freePort } from '../utils/free-port.js';
import { API_KEY, TestSystem } from '../utils/test-system.js';

interface Hit extends SearchHitBody {
  vector_score: number;
  keyword_score?: number;
}

const LESSONS: Record<string, string> = {
  'cells.txt': '线粒体是细胞的动力工厂。Mitochondria make energy for the cell.',
  'arduino.txt': 'Use digitalWrite to switch a pin HIGH. 用 digitalWrite 点亮发光二极管。',
  'sorting.txt': 'Binary search runs in O(log n) time on a sorted array. 二分查找。',
};

/** A second API process on the same database and Redis: another replica. */
async function startReplica(
  system: TestSystem,
  env: Record<string, string> = {},
): Promise<{ process: AppProcess; url: string }> {
  const port = await freePort();
  const process = new AppProcess('api', [], system.env({ PORT: String(port), ...env }));
  await process.waitForOutput(/listening on/);
  return { process, url: `http://127.0.0.1:${port}` };
}

async function searchAt(url: string, query: string): Promise<Hit[]> {
  const response = await fetch(`${url}/documents/search?${query}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Hit[];
}

/** Polls a replica's search until `done` holds (an index follows the log in the background). */
async function eventually(url: string, query: string, done: (hits: Hit[]) => boolean): Promise<Hit[]> {
  const deadline = Date.now() + 10_000;
  let hits: Hit[] = [];
  while (Date.now() < deadline) {
    hits = await searchAt(url, query);
    if (done(hits)) return hits;
    await sleep(50);
  }
  throw new Error(`search ${query} never settled: ${JSON.stringify(hits)}`);
}

describe.each([['SQLite'], ['PostgreSQL']])('search index on %s: replicas, filters, restart', (database) => {
  let system: TestSystem;
  let replica: { process: AppProcess; url: string };
  let uploads: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'codehubot-uploads-'));
    const env: Record<string, string> = {
      EMBEDDING_PROVIDER: 'hash',
      UPLOAD_DIR: uploads,
      CHUNK_SIZE: '60',
      CHUNK_OVERLAP: '0',
    };
    if (database === 'PostgreSQL') {
      const { url, drop } = await postgresDatabaseUrl();
      dropDatabase = drop;
      env.DATABASE_URL = url;
    }
    system = await TestSystem.start({ env });
    await system.startWorker();
    replica = await startReplica(system);
    for (const [name, text] of Object.entries(LESSONS)) {
      const answer = await upload(system, Buffer.from(text), name);
      expect(answer.status).toBe(202);
      ids.set(name, answer.body.id);
      await waitForDocument(system, answer.body.id);
    }
  });

  afterAll(async () => {
    await replica?.process.stop('SIGKILL');
    await system?.stop();
    await dropDatabase?.();
    rmSync(uploads, { recursive: true, force: true });
  });

  it('a document vectorized through one API is found through the other, with its vector score', async () => {
    const hits = await eventually(replica.url, 'q=digitalWrite&k=1', (h) => h.length === 1);
    expect(hits[0]).toMatchObject({ document_id: ids.get('arduino.txt') });
    expect(hits[0].text).toContain('digitalWrite');
    expect(hits[0].vector_score).toBe(hits[0].score);
    const first = await system.request<Hit[]>('GET', '/documents/search?q=digitalWrite&k=1');
    expect(first.body[0].document_id).toBe(ids.get('arduino.txt'));
  });

  it('ranks as the exact search does (exact=true reads every vector from the database)', async () => {
    for (const q of ['线粒体', 'O(log n) sorted', 'pin HIGH']) {
      const query = `q=${encodeURIComponent(q)}&k=10`;
      const indexed = await searchAt(replica.url, query);
      const exact = await searchAt(replica.url, `${query}&exact=true`);
      expect(indexed[0]).toMatchObject({
        document_id: exact[0].document_id,
        chunk_index: exact[0].chunk_index,
      });
      // rank by rank the same full-precision scores; chunks with equal scores may come in another order
      expect(indexed.map((h) => h.score)).toEqual(exact.map((h) => h.score));
    }
  });

  it('filters by document_id (one or several) and by title before ranking', async () => {
    const cells = ids.get('cells.txt')!;
    const sorting = ids.get('sorting.txt')!;
    const one = await searchAt(replica.url, `q=digitalWrite&k=10&document_id=${cells}`);
    expect(one.length).toBeGreaterThan(0);
    expect(new Set(one.map((h) => h.document_id))).toEqual(new Set([cells]));
    const several = await searchAt(replica.url, `q=digitalWrite&k=50&document_id=${cells},${sorting}`);
    expect(new Set(several.map((h) => h.document_id))).toEqual(new Set([cells, sorting]));
    const repeated = await searchAt(
      replica.url,
      `q=digitalWrite&k=50&document_id=${cells}&document_id=${sorting}`,
    );
    expect(repeated).toEqual(several);
    const titled = await searchAt(replica.url, 'q=digitalWrite&k=50&title=CELLS');
    expect(new Set(titled.map((h) => h.document_id))).toEqual(new Set([cells]));
    expect(await searchAt(replica.url, 'q=digitalWrite&title=no-such-title')).toEqual([]);
    const bad = await fetch(`${replica.url}/documents/search?q=x&document_id=nope`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('document_id');
  });

  it('with hybrid ranking, hits carry both scores and an exact term ranks its chunk first', async () => {
    const hybrid = await startReplica(system, { SEARCH_KEYWORD_WEIGHT: '0.3' });
    try {
      const ready = (h: Hit[]): boolean => h.length > 0 && h[0].keyword_score !== undefined;
      const hits = await eventually(hybrid.url, 'q=digitalWrite&k=3', ready);
      expect(hits[0].document_id).toBe(ids.get('arduino.txt'));
      expect(hits[0].keyword_score).toBeGreaterThan(0);
      expect(hits[0].keyword_score).toBeLessThanOrEqual(1);
      expect(hits[0].score).toBeCloseTo(0.7 * hits[0].vector_score + 0.3 * hits[0].keyword_score!, 3);
      const cells = await searchAt(hybrid.url, `q=${encodeURIComponent('线粒体')}&k=1`);
      expect(cells[0]).toMatchObject({ document_id: ids.get('cells.txt') });
      expect(cells[0].keyword_score).toBeGreaterThan(0);
      const none = await searchAt(hybrid.url, 'q=zebra&k=3');
      expect(none.every((h) => h.keyword_score === 0)).toBe(true);
      const plain = await searchAt(replica.url, 'q=digitalWrite&k=3');
      expect(plain[0].keyword_score).toBeUndefined();
    } finally {
      await hybrid.process.stop('SIGKILL');
    }
  });

  it('a document deleted through one API is gone from the other', async () => {
    const sorting = ids.get('sorting.txt')!;
    expect((await searchAt(replica.url, 'q=sorted%20array&k=1'))[0].document_id).toBe(sorting);
    expect((await system.request('DELETE', `/documents/${sorting}`)).status).toBe(204);
    await eventually(replica.url, 'q=sorted%20array&k=10', (h) => h.every((x) => x.document_id !== sorting));
  });

  it('a replica killed and restarted (changes made while it was down) rebuilds and searches correctly', async () => {
    await replica.process.stop('SIGKILL');
    const cells = ids.get('cells.txt')!;
    expect((await system.request('DELETE', `/documents/${cells}`)).status).toBe(204);
    const added = await upload(
      system,
      Buffer.from('Photosynthesis needs chlorophyll. 光合作用需要叶绿素。'),
      'leaf.txt',
    );
    await waitForDocument(system, added.body.id);
    replica = await startReplica(system);
    const hits = await eventually(
      replica.url,
      'q=chlorophyll&k=10',
      (h) => h[0]?.document_id === added.body.id,
    );
    expect(hits.some((h) => h.document_id === cells)).toBe(false);
    const exact = await searchAt(replica.url, 'q=chlorophyll&k=10&exact=true');
    expect(hits.map((h) => [h.document_id, h.chunk_index])).toEqual(
      exact.map((h) => [h.document_id, h.chunk_index]),
    );
  });
});
