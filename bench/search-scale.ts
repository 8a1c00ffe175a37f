/**
 * `npm run bench:search`: search at scale through the built API, on SQLite and on PostgreSQL.
 *
 * For each database: a fresh database seeded with synthetic chunks (hash provider, 1024 dimensions, 60 words of
 * a skewed 20,000-word vocabulary each), the built API started on it with a private redis-server, then: the
 * time until its index is ready, the index's memory and the process's RSS, the latency of sequential searches
 * (`k=10`) through the index and with `exact=true`, recall@10 of the index against an exact search computed
 * here in full precision (ties at the tenth place count as right), and `GET /health` latency while 20 clients
 * search without pause. Then the index alone in this process at `--index-only` chunks (no database, no HTTP).
 *
 * Flags: --chunks 100000 · --databases sqlite,postgres · --queries 200 · --recall-queries 50 · --exact-queries 10 ·
 * --index-only 1000000 (0: skip) · --candidates 40,80,160 (rescored, for the index alone's recall) ·
 * --out docs/BENCHMARKS-search.md (the API part replaces what is between the bench:search markers, the index
 * alone what is between the bench:search-index markers; `--databases ''` or `--index-only 0` skips a part).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type * as USearch from 'usearch';
import { hashVector } from '../libs/documents/src/embedding/hash.provider.js';
import { FlatIndex } from '../libs/documents/src/search/flat-index.js';
import { postgresDatabaseUrl } from '../test/utils/databases.js';
import { freePort } from '../test/utils/free-port.js';
import { TestRedis } from '../test/utils/redis-server.js';
import { SyntheticCorpus } from '../test/utils/synthetic-corpus.js';
import { BenchProcess, ROOT_DIR } from './node-process.js';
import { DIMENSIONS, seed } from './search/seed.js';
import { percentiles } from './stats.js';

// usearch's CommonJS build finds its prebuilt binary (as in flat-index.ts)
const usearch = createRequire(import.meta.url)('usearch') as typeof USearch;
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { values: flags } = parseArgs({
  options: {
    chunks: { type: 'string', default: '100000' },
    databases: { type: 'string', default: 'sqlite,postgres' },
    queries: { type: 'string', default: '200' },
    'recall-queries': { type: 'string', default: '50' },
    'exact-queries': { type: 'string', default: '10' },
    'index-only': { type: 'string', default: '1000000' },
    candidates: { type: 'string', default: '40,80,160' },
    out: { type: 'string', default: 'docs/BENCHMARKS-search.md' },
  },
});
const CHUNKS = Number(flags.chunks);
const QUERIES = Number(flags.queries);
const RECALL_QUERIES = Number(flags['recall-queries']);
const EXACT_QUERIES = Number(flags['exact-queries']);
const CANDIDATES = flags.candidates.split(',').map(Number);
const queryTexts = new SyntheticCorpus(99, 20_000).texts(QUERIES, 8);

interface Hit {
  document_id: string;
  chunk_index: number;
  score: number;
}

const ms = (n: number): string => n.toFixed(1);
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

function rssBytes(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0) * 1024;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function searchApi(base: string, q: string, extra = ''): Promise<Hit[]> {
  const response = await fetch(`${base}/documents/search?q=${encodeURIComponent(q)}&k=10${extra}`);
  if (response.status !== 200)
    throw new Error(`search answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Hit[];
}

/**
 * Share of the index's hits whose exact score reaches the exact tenth best (ties count as right). The exact
 * tenth best comes from a float32 inner-product scan of every vector (usearch's `exactSearch`, native, on every
 * core: a JavaScript loop takes seconds a query at 1,000,000 chunks); the hits are scored here.
 */
function recallAt10(vectors: Float32Array, documents: string[], query: Float32Array, hits: Hit[]): number {
  const exact = usearch.exactSearch(vectors, query, DIMENSIONS, 10, usearch.MetricKind.IP, 0);
  const tenth = 1 - exact.distances[9];
  const right = hits.filter((h) => dotOf(vectors, documents, query, h) >= tenth - 1e-5);
  return right.length / 10;
}

/** A hit's full-precision score (chunk n of the seed: document n mod documents, chunk index n div documents). */
function dotOf(
  vectors: Float32Array,
  documents: string[],
  query: Float32Array,
  hit: Pick<Hit, 'document_id' | 'chunk_index'>,
): number {
  let rows = rowsOf.get(documents);
  if (!rows) rowsOf.set(documents, (rows = new Map(documents.map((id, i) => [id, i]))));
  const at = rows.get(hit.document_id);
  if (at === undefined) return -Infinity;
  const o = (hit.chunk_index * documents.length + at) * DIMENSIONS;
  let score = 0;
  for (let j = 0; j < DIMENSIONS; j++) score += query[j] * vectors[o + j];
  return score;
}
const rowsOf = new WeakMap<string[], Map<string, number>>();

/** `GET /health` latency while 20 clients search back to back, for `seconds`. */
async function healthUnderLoad(
  base: string,
  seconds: number,
): Promise<{ health: number[]; searches: number }> {
  let stop = false;
  let searches = 0;
  const clients = Array.from({ length: 20 }, async (_, c) => {
    for (let i = c; !stop; i++) {
      await searchApi(base, queryTexts[i % queryTexts.length]);
      searches++;
    }
  });
  const health: number[] = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    health.push((await timed(() => fetch(`${base}/health`).then((r) => r.text()))).ms);
    await sleep(20);
  }
  stop = true;
  await Promise.all(clients);
  return { health, searches };
}

async function database(kind: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'codehubot-bench-search-'));
    return {
      url: `sqlite:${join(dir, 'db.sqlite')}`,
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  return postgresDatabaseUrl(POSTGRES_URL);
}

async function throughApi(kind: string): Promise<string[]> {
  const db = await database(kind);
  const redis = await TestRedis.start();
  let api: BenchProcess | undefined;
  try {
    const seeded = await timed(() =>
      seed(db.url, CHUNKS, { documents: Math.ceil(CHUNKS / 40), keepVectors: true }),
    );
    const { vectors, documentIds } = seeded.value;
    const port = await freePort();
    const started = performance.now();
    api = new BenchProcess('apps/api/main.js', [], {
      PORT: String(port),
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `bench-search-${process.pid}`,
      EMBEDDING_PROVIDER: 'hash',
      LOG_FORMAT: 'json',
    });
    await api.waitForOutput(/listening on/, 120_000);
    const listening = performance.now() - started;
    await api.waitForOutput(/search index ready/, 300_000);
    const ready = performance.now() - started;
    const indexMiB = Number(/search index ready: \d+ chunks of [^,]+, ([\d.]+) MiB/.exec(api.text)?.[1]);
    const base = `http://127.0.0.1:${port}`;
    for (const q of queryTexts.slice(0, 20)) await searchApi(base, q);
    const latency: number[] = [];
    let recall = 0;
    for (const q of queryTexts) {
      const { value, ms: took } = await timed(() => searchApi(base, q));
      latency.push(took);
      if (latency.length <= RECALL_QUERIES) recall += recallAt10(vectors!, documentIds, hashVector(q), value);
    }
    const exactLatency: number[] = [];
    for (const q of queryTexts.slice(0, EXACT_QUERIES))
      exactLatency.push((await timed(() => searchApi(base, q, '&exact=true'))).ms);
    const load = await healthUnderLoad(base, 10);
    const rss = rssBytes(api.pid);
    const p = percentiles(latency);
    const e = percentiles(exactLatency);
    const h = percentiles(load.health);
    console.error(
      `${kind}: ready ${ms(ready)} ms, p50 ${ms(p.p50)}, p99 ${ms(p.p99)}, health p99 ${ms(h.p99)}`,
    );
    return [
      `| ${kind} | ${CHUNKS.toLocaleString('en')} | ${(seeded.ms / 1000).toFixed(0)} s | ${ms(listening)} | ${ms(ready)} | ${indexMiB.toFixed(0)} | ${mib(rss)} | ${ms(p.p50)} | ${ms(p.p99)} | ${(recall / RECALL_QUERIES).toFixed(3)} | ${ms(e.p50)} | ${ms(h.p50)} / ${ms(h.p99)} (${load.health.length} probes, ${load.searches} searches) | ${loadavg()[0].toFixed(1)} |`,
    ];
  } finally {
    await api?.stop('SIGTERM');
    await redis.destroy();
    await db.drop();
  }
}

/** The index alone, in this process: search time at a size the API bench cannot seed in reasonable time. */
function indexOnly(count: number): { rows: string[]; recall: string[] } {
  const corpus = new SyntheticCorpus(42, 20_000);
  const index = new FlatIndex(DIMENSIONS);
  // the full-precision vectors, for recall after rescoring (4 KiB a chunk: 4 GiB at 1,000,000)
  const floats = new Float32Array(count * DIMENSIONS);
  for (let start = 0; start < count; start += 10_000) {
    const rows = [];
    for (let n = start; n < Math.min(count, start + 10_000); n++) {
      const v = hashVector(corpus.text(60));
      floats.set(v, n * DIMENSIONS);
      rows.push({
        documentId: `d${n % 25_000}`,
        chunkIndex: Math.floor(n / 25_000),
        embedding: new Uint8Array(v.buffer),
      });
    }
    index.add(rows);
  }
  const time = (search: () => unknown): number => {
    const started = performance.now();
    search();
    return performance.now() - started;
  };
  const rows: string[] = [];
  for (const threads of [1, availableParallelism()]) {
    index.threads = threads;
    const latency = queryTexts.map((q) => time(() => index.search({ vector: hashVector(q), k: 10 })));
    const filtered = queryTexts
      .slice(0, 50)
      .map((q) =>
        time(() => index.search({ vector: hashVector(q), k: 10, documentIds: ['d1', 'd2', 'd3'] })),
      );
    const p = percentiles(latency);
    const f = percentiles(filtered);
    const { bytes } = index.stats();
    console.error(`index only ${count}, ${threads} thread(s): p50 ${ms(p.p50)}, p99 ${ms(p.p99)}`);
    rows.push(
      `| ${count.toLocaleString('en')} | ${threads} | ${mib(bytes)} | ${ms(p.p50)} | ${ms(p.p99)} | ${ms(f.p50)} / ${ms(f.p99)} | ${loadavg()[0].toFixed(1)} |`,
    );
  }
  // recall@10 when the best `c` int8 candidates are rescored in float32, as the API does (ties count as right)
  const documents = Array.from({ length: Math.min(count, 25_000) }, (_, i) => `d${i}`);
  const recall = CANDIDATES.map((c) => {
    let sum = 0;
    for (const q of queryTexts.slice(0, RECALL_QUERIES)) {
      const vector = hashVector(q);
      const candidates = index
        .search({ vector, k: c })
        .map((h) => ({ document_id: h.documentId, chunk_index: h.chunkIndex, score: h.score }));
      const scored = candidates
        .map((hit) => ({ hit, score: dotOf(floats, documents, vector, hit) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      sum += recallAt10(
        floats,
        documents,
        vector,
        scored.map(({ hit }) => hit),
      );
    }
    console.error(
      `index only ${count}, ${c} candidates rescored: recall@10 ${(sum / RECALL_QUERIES).toFixed(3)}`,
    );
    return `| ${count.toLocaleString('en')} | ${c} | ${(sum / RECALL_QUERIES).toFixed(3)} |`;
  });
  return { rows, recall };
}

/** The document with the part between `<!-- name -->` and `<!-- /name -->` replaced (appended when absent). */
function replaced(doc: string, name: string, report: string): string {
  const [begin, end] = [`<!-- ${name} -->`, `<!-- /${name} -->`];
  const at = doc.indexOf(begin);
  const to = doc.indexOf(end);
  return at >= 0 && to > at
    ? `${doc.slice(0, at + begin.length)}\n${report}\n${doc.slice(to)}`
    : `${doc}\n${begin}\n${report}\n${end}\n`;
}

async function main(): Promise<void> {
  const machine = `${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'unknown'}, Node ${process.version}`;
  const measured = (): string =>
    `Measured with \`npm run bench:search\` on ${new Date().toISOString().slice(0, 10)}; ${machine}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1 / 5 / 15 min) at the start.`;
  const out = resolve(ROOT_DIR, flags.out);
  let doc = readFileSync(out, 'utf8');
  const databases = flags.databases.split(',').filter(Boolean);
  // each part goes between its own markers, so that the API runs and the index alone can be measured apart
  if (databases.length > 0) {
    const lines = [
      measured(),
      '',
      `Through the built API (${QUERIES} sequential searches with \`k=10\` after 20 warm-up ones; recall over the first ${RECALL_QUERIES}; \`exact=true\` over ${EXACT_QUERIES})`,
      '',
      '| database | chunks | seeding | listening ms | index ready ms | index MiB | API RSS MiB | p50 ms | p99 ms | recall@10 | exact=true p50 ms | /health p50 / p99 ms during 20 concurrent searches | load after |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ];
    for (const kind of databases) lines.push(...(await throughApi(kind)));
    console.log(lines.join('\n'));
    doc = replaced(doc, 'bench:search', lines.join('\n'));
  }
  const indexOnlyCount = Number(flags['index-only']);
  if (indexOnlyCount > 0) {
    const lines = [
      measured(),
      '',
      `The index alone, in the bench process (${QUERIES} searches, \`k=10\`, the scan on 1 thread and on every core; filtered: 3 documents of 25,000)`,
      '',
      '| chunks | scan threads | index MiB | p50 ms | p99 ms | filtered p50 / p99 ms | load after |',
      '|---|---|---|---|---|---|---|',
    ];
    const { rows, recall } = indexOnly(indexOnlyCount);
    lines.push(
      ...rows,
      '',
      `Recall@10 of the index alone when its best candidates are rescored in float32 (${RECALL_QUERIES} queries; ties at the tenth place count as right)`,
      '',
      '| chunks | candidates rescored | recall@10 |',
      '|---|---|---|',
      ...recall,
    );
    console.log(lines.join('\n'));
    doc = replaced(doc, 'bench:search-index', lines.join('\n'));
  }
  writeFileSync(out, doc);
}

await main();
