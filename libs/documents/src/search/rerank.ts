import { isCjk } from '../embedding/text-features.js';
import { Bm25Index } from './bm25.js';
import { keywordShare } from './fusion.js';

/** One candidate chunk for reranking: its cosine with the query and its terms (glossed into English). */
export interface RerankCandidate {
  key: string;
  /** Cosine of the query's and the chunk's vectors. */
  vector: number;
  terms: readonly string[];
  /** Whether the chunk's text holds Chinese (or other CJK) characters. */
  cjk: boolean;
}

export interface RerankQuery {
  terms: readonly string[];
  cjk: boolean;
}

export interface RerankedScore {
  /** BM25 of the query's glossed terms over the candidates, as a share of the query's ceiling (0–1). */
  terms: number;
  /**
   * `(1 − w) · vector + w · terms` with `w` = `weight` between two Chinese texts, `weight ·
   * CROSS_LINGUAL_FACTOR` between a Chinese and an English one; the vector alone for two English texts.
   */
  fused: number;
}

/**
 * How much more the shared terms count between a Chinese and an English text than between two Chinese texts.
 * Two glossed Chinese texts share their glosses word for word, while a gloss meets real English only where the
 * dictionary's sense is the word the English uses: on the shared dev set the right passage's share averages
 * 0.44 between Chinese texts but 0.30–0.32 across languages, so across languages a share counts 1.4 times
 * (0.44 / 0.31), to weigh as much as the same evidence between Chinese texts.
 */
export const CROSS_LINGUAL_FACTOR = 1.4;

/** Whether a text holds any CJK character. */
export const hasCjk = (text: string): boolean => [...text].some(isCjk);

/**
 * Reranks the vector search's best candidates by the terms they share with the query once both are glossed
 * into English: BM25 over the candidates alone (their own document frequencies), divided by what a candidate
 * holding each query term once would score, mixed linearly with the cosine at `weight`.
 *
 * A pair of two English texts keeps its cosine: there the sentence encoder reads real English and shared words
 * mostly mislead (measured on the shared dev set: en→en 18/20 → 14/20 at weight 0.05), whereas a glossed text
 * is a string of dictionary senses in which a shared sense is strong evidence (zh→zh 16 → 18/20, zh→en 17 →
 * 18/20). Across languages the share counts `CROSS_LINGUAL_FACTOR` times more (en→zh 17 → 18/20). See
 * docs/BENCHMARKS-search.md.
 */
export function rerank(
  query: RerankQuery,
  candidates: readonly RerankCandidate[],
  weight: number,
): Map<string, RerankedScore> {
  const bm25 = new Bm25Index();
  for (const c of candidates) bm25.add(c.key, c.terms);
  const raw = bm25.scores(query.terms);
  const ceiling = bm25.ceiling(query.terms);
  const out = new Map<string, RerankedScore>();
  for (const c of candidates) {
    const terms = keywordShare(raw.get(c.key) ?? 0, ceiling);
    const crossLingual = query.cjk !== c.cjk;
    const w = crossLingual ? Math.min(1, weight * CROSS_LINGUAL_FACTOR) : query.cjk ? weight : 0;
    out.set(c.key, { terms, fused: (1 - w) * c.vector + w * terms });
  }
  return out;
}
