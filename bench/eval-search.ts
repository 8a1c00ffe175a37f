/**
 * `npm run eval:search`: search quality and cost of each embedding provider.
 *
 * For each provider (in a child process of its own, so that peak memory is its own): top-1 accuracy and MRR on
 * eval/search-eval.json (32 passages: Chinese, English, mixed; Chinese and English paraphrase queries, half of
 * them cross-lingual) and on the shared bilingual dev set when it is found beside the repository; then
 * vectorization throughput (chunks/s after the model is loaded), model load time, peak RSS, and the event
 * loop's worst delay while embedding on the event loop vs on the embedding thread.
 *
 * Flags: --providers hash,semantic[,openai] (openai needs EMBEDDING_API_URL) · --markdown (print tables for docs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { chunkText } from '../libs/documents/src/chunking/chunker.js';
import { loadEmbeddingConfig, type EmbeddingConfig } from '../libs/documents/src/config/embedding.config.js';
import type { EmbeddingProvider } from '../libs/documents/src/embedding/embedding-provider.js';
import { createEmbeddingProvider } from '../libs/documents/src/embedding/provider-factory.js';
import { dot } from '../libs/documents/src/embedding/vector.js';
import { Bm25Index } from '../libs/documents/src/search/bm25.js';
import { fuse } from '../libs/documents/src/search/fusion.js';
import { keywordTokens } from '../libs/documents/src/search/keyword-tokens.js';
import { hasCjk, rerank } from '../libs/documents/src/search/rerank.js';
import { loadSearchConfig } from '../libs/documents/src/config/search.config.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OWN_SET = resolve(ROOT, 'eval/search-eval.json');
const DEV_SET_CANDIDATES = [
  process.env.EVAL_DEV_SET ?? '',
  resolve(ROOT, '../shared/eval/bilingual-dev.json'),
  resolve(ROOT, '../../../shared/eval/bilingual-dev.json'),
].filter(Boolean);
const CHUNK = { size: 500, overlap: 80 };
/** Keyword weights measured for hybrid ranking (0: vectors alone). */
const HYBRID_WEIGHTS = [0, 0.1, 0.2, 0.3, 0.5];
/** Reranking as the API does it: the vector search's best `max(4k, 20)` candidates at k = 5, the default weight. */
const RERANK_CANDIDATES = 20;
const RERANK_WEIGHT = loadSearchConfig().rerankWeight;

interface OwnPassage {
  id: string;
  lang: 'zh' | 'en' | 'mixed';
  text: string;
  q_zh: string;
  q_en: string;
}
interface DevPassage {
  topic: string;
  zh: string;
  en: string;
  q_zh: string;
  q_en: string;
}

interface Score {
  n: number;
  top1: number;
  mrr: number;
}
type Scores = Record<string, Score>;
interface ProviderReport {
  provider: string;
  id: string;
  own: Scores;
  dev?: Scores;
  /** The same sets ranked with BM25 fused in, per keyword weight. */
  hybrid?: { weight: number; own: Scores; dev?: Scores }[];
  /** The same sets with the best candidates reranked by their glossed terms (providers with `terms`). */
  reranked?: { weight: number; own: Scores; dev?: Scores };
  loadSeconds: number;
  chunksPerSecond: number;
  chunksTimed: number;
  peakRssMiB: number;
  loopLagInlineMs: number;
  loopLagThreadMs?: number;
}

/** Passages embedded chunk by chunk, with a BM25 index over the same chunks. */
interface EmbeddedSet {
  docs: { key: string; vector: Float32Array; text: string; terms: string[] }[][];
  bm25: Bm25Index;
  /** Whether the provider reranks (has `terms`). */
  reranks: boolean;
}

/** A query: its text, vector and (when the provider reranks) glossed terms. */
interface Query {
  text: string;
  vector: Float32Array;
  terms: string[];
}

/**
 * The 1-based rank of the target passage for one query at every hybrid weight, then reranked: a passage scores
 * as its best chunk, a chunk as the fusion of its cosine and its BM25 (`weight` 0: cosine alone). The last rank
 * is the reranked one (the vector rank for a provider that does not rerank).
 */
function ranksOf(query: Query, set: EmbeddedSet, target: number): number[] {
  const terms = keywordTokens(query.text);
  const keyword = set.bm25.scores(terms);
  const ceiling = set.bm25.ceiling(terms);
  const chunks = set.docs.flat().map(({ key, vector }) => ({ key, vector: dot(query.vector, vector) }));
  const hybrid = HYBRID_WEIGHTS.map((weight) => {
    const fused = fuse(chunks, keyword, weight, ceiling);
    const scores = set.docs.map((doc) => Math.max(...doc.map((c) => fused.get(c.key)!.fused)));
    return scores.filter((x) => x > scores[target]).length + 1;
  });
  return [...hybrid, set.reranks ? rerankedRank(query, set, chunks, target) : hybrid[0]];
}

/** The target's rank after reranking the best candidates; a target outside them keeps its vector rank. */
function rerankedRank(
  query: Query,
  set: EmbeddedSet,
  chunks: { key: string; vector: number }[],
  target: number,
): number {
  const byKey = new Map(set.docs.flatMap((doc, d) => doc.map((c) => [c.key, { ...c, doc: d }] as const)));
  const best = [...chunks].sort((a, b) => b.vector - a.vector).slice(0, RERANK_CANDIDATES);
  const reranked = rerank(
    { terms: query.terms, cjk: hasCjk(query.text) },
    best.map(({ key, vector }) => ({
      key,
      vector,
      terms: byKey.get(key)!.terms,
      cjk: hasCjk(byKey.get(key)!.text),
    })),
    RERANK_WEIGHT,
  );
  const scores = new Map<number, number>();
  for (const { key } of best) {
    const d = byKey.get(key)!.doc;
    scores.set(d, Math.max(scores.get(d) ?? -Infinity, reranked.get(key)!.fused));
  }
  const mine = scores.get(target);
  if (mine === undefined) {
    const vectorRanks = set.docs.map((doc) => Math.max(...doc.map((c) => dot(query.vector, c.vector))));
    return vectorRanks.filter((x) => x > vectorRanks[target]).length + 1;
  }
  return [...scores.values()].filter((x) => x > mine).length + 1;
}

async function queriesOf(provider: EmbeddingProvider, texts: string[]): Promise<Query[]> {
  const vectors = await provider.embed(texts, 'query');
  const terms = provider.terms ? await provider.terms(texts) : texts.map(() => []);
  return texts.map((text, i) => ({ text, vector: vectors[i], terms: terms[i] }));
}

function add(scores: Record<string, Score>, kind: string, rank: number): void {
  const s = (scores[kind] ??= { n: 0, top1: 0, mrr: 0 });
  s.n++;
  if (rank === 1) s.top1++;
  s.mrr += 1 / rank;
}

async function embedDocs(provider: EmbeddingProvider, texts: string[]): Promise<EmbeddedSet> {
  const chunked = texts.map((t) => chunkText(t, CHUNK).map((c) => c.text));
  const flat = await provider.embed(chunked.flat(), 'document');
  const terms = provider.terms ? await provider.terms(chunked.flat()) : [];
  const bm25 = new Bm25Index();
  let i = 0;
  const docs = chunked.map((chunks, d) =>
    chunks.map((text, c) => {
      const key = `${d}:${c}`;
      bm25.add(key, keywordTokens(text));
      const at = i++;
      return { key, vector: flat[at], text, terms: terms[at] ?? [] };
    }),
  );
  return { docs, bm25, reranks: provider.terms !== undefined };
}

/** One score table per weight, filled by `record(ranks, add)`. */
function perWeight(): { tables: Scores[]; record: (ranks: number[], kinds: string[]) => void } {
  const tables = [...HYBRID_WEIGHTS, RERANK_WEIGHT].map((): Scores => ({}));
  return {
    tables,
    record: (ranks, kinds) => ranks.forEach((rank, w) => kinds.forEach((kind) => add(tables[w], kind, rank))),
  };
}

/**
 * Exact-term queries: for each passage, its rarest term (found in no other passage, at least 4 letters or 2
 * Chinese characters), searched alone — the queries where a keyword score should help vectors most.
 */
function exactTerms(texts: string[]): (string | undefined)[] {
  const tokens = texts.map((t) => new Set(keywordTokens(t)));
  const df = new Map<string, number>();
  for (const set of tokens) for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
  return tokens.map((set) =>
    [...set].find((t) => df.get(t) === 1 && (/^[a-z0-9_]{4,}$/.test(t) || /^[\u4e00-\u9fff]{2,}$/.test(t))),
  );
}

async function evaluateOwn(provider: EmbeddingProvider): Promise<Scores[]> {
  const set = JSON.parse(readFileSync(OWN_SET, 'utf8')) as { passages: OwnPassage[] };
  const embedded = await embedDocs(
    provider,
    set.passages.map((p) => p.text),
  );
  const { tables, record } = perWeight();
  for (const queryLang of ['zh', 'en'] as const) {
    const texts = set.passages.map((p) => (queryLang === 'zh' ? p.q_zh : p.q_en));
    const queries = await queriesOf(provider, texts);
    set.passages.forEach((p, i) => {
      const cross = p.lang !== 'mixed' && p.lang !== queryLang;
      record(ranksOf(queries[i], embedded, i), [
        `${queryLang}→${p.lang}`,
        cross ? 'cross-lingual' : 'same language',
        'all',
      ]);
    });
  }
  const terms = exactTerms(set.passages.map((p) => p.text));
  const termQueries = await queriesOf(
    provider,
    terms.map((t) => t ?? ''),
  );
  terms.forEach((term, i) => {
    if (term !== undefined) record(ranksOf(termQueries[i], embedded, i), ['exact term']);
  });
  return tables;
}

async function evaluateDev(provider: EmbeddingProvider): Promise<Scores[] | undefined> {
  const path = DEV_SET_CANDIDATES.find((p) => existsSync(p));
  if (!path) return undefined;
  const set = JSON.parse(readFileSync(path, 'utf8')) as { passages: DevPassage[] };
  const { tables, record } = perWeight();
  for (const docLang of ['zh', 'en'] as const) {
    const embedded = await embedDocs(
      provider,
      set.passages.map((p) => p[docLang]),
    );
    for (const queryLang of ['zh', 'en'] as const) {
      const texts = set.passages.map((p) => (queryLang === 'zh' ? p.q_zh : p.q_en));
      const queries = await queriesOf(provider, texts);
      set.passages.forEach((_, i) => record(ranksOf(queries[i], embedded, i), [`${queryLang}→${docLang}`]));
    }
  }
  return tables;
}

/** ~500-character chunks of every passage of both sets, repeated to `count`. */
function throughputCorpus(count: number): string[] {
  const own = (JSON.parse(readFileSync(OWN_SET, 'utf8')) as { passages: OwnPassage[] }).passages.map(
    (p) => p.text,
  );
  const texts: string[] = [];
  for (let i = 0; texts.length < count; i++) {
    const a = own[i % own.length];
    const b = own[(i * 7 + 3) % own.length];
    texts.push((a + b).slice(0, 500));
  }
  return texts;
}

/**
 * Worst event-loop delay (ms) while `work` runs: a 10 ms interval notes how late each tick comes. A loop blocked
 * throughout shows up as one very late tick after the work, so the measurement waits for that tick too.
 */
async function worstLoopDelay(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 10);
    last = now;
  }, 10);
  await work();
  await new Promise((done) => setTimeout(done, 25));
  clearInterval(timer);
  return Math.max(0, worst);
}

async function child(name: string): Promise<ProviderReport> {
  const config: EmbeddingConfig = { ...loadEmbeddingConfig({ ...process.env, EMBEDDING_PROVIDER: name }) };
  const provider = createEmbeddingProvider(config);
  let t = performance.now();
  await provider.embed(['warm up 预热'], 'document');
  const loadSeconds = (performance.now() - t) / 1000;
  const own = await evaluateOwn(provider);
  const dev = await evaluateDev(provider);
  const corpus = throughputCorpus(name === 'hash' ? 5000 : 200);
  t = performance.now();
  const loopLagInlineMs = await worstLoopDelay(async () => {
    for (let i = 0; i < corpus.length; i += 8) await provider.embed(corpus.slice(i, i + 8), 'document');
  });
  const seconds = (performance.now() - t) / 1000;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  let loopLagThreadMs: number | undefined;
  const threadFile = resolve(ROOT, 'dist/libs/documents/src/embedding/embedding.thread.js');
  if (name === 'semantic' && existsSync(threadFile)) {
    const pool = new Piscina({ filename: threadFile, minThreads: 1, maxThreads: 1, workerData: config });
    await pool.run({ texts: ['warm up'], kind: 'document' });
    const sample = corpus.slice(0, 48);
    loopLagThreadMs = await worstLoopDelay(async () => {
      for (let i = 0; i < sample.length; i += 8)
        await pool.run({ texts: sample.slice(i, i + 8), kind: 'document' });
    });
    await pool.destroy();
  }
  return {
    provider: name,
    id: provider.id,
    own: own[0],
    dev: dev?.[0],
    hybrid: HYBRID_WEIGHTS.map((weight, w) => ({ weight, own: own[w], dev: dev?.[w] })).slice(1),
    reranked: provider.terms
      ? { weight: RERANK_WEIGHT, own: own[HYBRID_WEIGHTS.length], dev: dev?.[HYBRID_WEIGHTS.length] }
      : undefined,
    loadSeconds,
    chunksPerSecond: corpus.length / seconds,
    chunksTimed: corpus.length,
    peakRssMiB,
    loopLagInlineMs,
    loopLagThreadMs,
  };
}

const pct = (s: Score | undefined): string =>
  s ? `${s.top1}/${s.n} (${((100 * s.top1) / s.n).toFixed(0)}%)` : '–';
const mrr = (s: Score | undefined): string => (s ? (s.mrr / s.n).toFixed(3) : '–');

function print(providers: ProviderReport[], markdown: boolean): void {
  // each hybrid weight is shown as a column pair of its own beside the provider's
  const reports = providers.flatMap((r) => [
    r,
    ...(r.reranked
      ? [
          {
            ...r,
            provider: `${r.provider}+rerank ${r.reranked.weight}`,
            own: r.reranked.own,
            dev: r.reranked.dev,
          },
        ]
      : []),
    ...(r.hybrid ?? []).map((h) => ({
      ...r,
      provider: `${r.provider}+bm25 ${h.weight}`,
      own: h.own,
      dev: h.dev,
    })),
  ]);
  const ownKinds = [
    'zh→zh',
    'en→zh',
    'en→en',
    'zh→en',
    'zh→mixed',
    'en→mixed',
    'same language',
    'cross-lingual',
    'all',
    'exact term',
  ];
  const devKinds = ['zh→zh', 'en→zh', 'zh→en', 'en→en'];
  const table = (
    title: string,
    kinds: string[],
    pick: (r: ProviderReport) => Record<string, Score> | undefined,
  ) => {
    const rows = kinds.map((kind) => [
      kind,
      ...reports.flatMap((r) => [pct(pick(r)?.[kind]), mrr(pick(r)?.[kind])]),
    ]);
    const head = [
      'queries → passages',
      ...reports.flatMap((r) => [`${r.provider} top-1`, `${r.provider} MRR`]),
    ];
    if (markdown) {
      console.log(`\n${title}\n\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
      for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    } else {
      console.log(`\n${title}`);
      console.table(
        Object.fromEntries(
          rows.map((r) => [r[0], Object.fromEntries(head.slice(1).map((h, i) => [h, r[i + 1]]))]),
        ),
      );
    }
  };
  table('Own set (eval/search-eval.json, 32 passages, 64 queries)', ownKinds, (r) => r.own);
  if (reports.some((r) => r.dev))
    table('Shared dev set (bilingual-dev.json, 20 passages per language)', devKinds, (r) => r.dev);
  const cost = providers.map((r) => ({
    provider: r.provider,
    id: r.id,
    'load s': r.loadSeconds.toFixed(2),
    'chunks/s': r.chunksPerSecond.toFixed(r.chunksPerSecond > 100 ? 0 : 1),
    'chunks timed': r.chunksTimed,
    'peak RSS MiB': r.peakRssMiB.toFixed(0),
    'loop lag inline ms': r.loopLagInlineMs.toFixed(0),
    'loop lag thread ms': r.loopLagThreadMs?.toFixed(0) ?? '–',
  }));
  if (markdown) {
    const keys = Object.keys(cost[0]);
    console.log(
      `\nCost (500-character chunks, batches of 8)\n\n| ${keys.join(' | ')} |\n|${keys.map(() => '---').join('|')}|`,
    );
    for (const c of cost) console.log(`| ${Object.values(c).join(' | ')} |`);
  } else {
    console.log('\nCost (500-character chunks, batches of 8)');
    console.table(cost);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex >= 0) {
    process.stdout.write(`${JSON.stringify(await child(args[childIndex + 1]))}\n`);
    return;
  }
  const listIndex = args.indexOf('--providers');
  const providers =
    listIndex >= 0
      ? args[listIndex + 1].split(',')
      : ['hash', 'semantic', ...(process.env.EMBEDDING_API_URL ? ['openai'] : [])];
  const reports: ProviderReport[] = [];
  for (const name of providers) {
    process.stderr.write(`evaluating ${name}…\n`);
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`provider ${name} failed (exit ${run.status})`);
    reports.push(JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as ProviderReport);
  }
  print(reports, args.includes('--markdown'));
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
