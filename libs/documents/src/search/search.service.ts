import { Inject, Injectable } from '@nestjs/common';
import type { SearchConfig } from '../config/search.config.js';
import { DocumentsRepository, type ScannedChunk } from '../documents.repository.js';
import { EmbeddingService } from '../embedding/embedding.service.js';
import { dot, unpackVector } from '../embedding/vector.js';
import { SEARCH_CONFIG } from '../tokens.js';
import { keyOf, type IndexHit } from './flat-index.js';
import { fuse } from './fusion.js';
import { hasCjk, rerank, type RerankedScore } from './rerank.js';
import { VectorIndexService } from './vector-index.service.js';

export interface SearchHit {
  document_id: string;
  chunk_index: number;
  text: string;
  /** The ranking score, best first (today the vector score). */
  score: number;
  /** Cosine similarity of the query's and the chunk's vectors. */
  vector_score: number;
  /**
   * With hybrid ranking (`score` then fuses both): the chunk's BM25 for the query's terms as a share of what a
   * text holding each of them once scores, 0–1.
   */
  keyword_score?: number;
  /**
   * With reranking (the semantic provider): the query's glossed terms that the chunk holds, as a BM25 share
   * over the candidates, 0–1; `score` then mixes it in unless both texts are English.
   */
  term_score?: number;
}

export interface SearchOptions {
  k: number;
  /** Compare with every stored vector in full precision instead of the index (slow on large sets). */
  exact?: boolean;
  /** Only chunks of these documents. */
  documentIds?: readonly string[];
  /** Only chunks of documents whose title contains this, ignoring case. */
  title?: string;
}

/** Keeps the k best of a stream of scored items, best first, in O(n log k). */
export class TopK<T> {
  private readonly items: { score: number; item: T }[] = [];

  constructor(private readonly k: number) {}

  offer(score: number, item: T): void {
    if (this.items.length === this.k && score <= this.items[this.items.length - 1].score) return;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].score >= score) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, { score, item });
    if (this.items.length > this.k) this.items.pop();
  }

  best(): { score: number; item: T }[] {
    return [...this.items];
  }
}

const round = (score: number): number => Math.round(score * 1e4) / 1e4;
/**
 * Candidates the int8 index proposes per hit wanted; they are scored again in full precision from the stored
 * vectors, so that quantization can reorder near ties among them but not push a right answer out of the top k.
 */
const CANDIDATES_PER_HIT = 4;
const MIN_CANDIDATES = 20;
/**
 * Index size per widening step: the index proposes `candidates × ⌈chunks / this⌉`, all rescored, of which the
 * best `candidates` by full-precision cosine go on (rerank, fusion). Near ties around the tenth best grow with
 * the number of chunks, and int8 reorders them: on the bench's data (1024 dimensions) rescoring 40 candidates
 * gave recall@10 0.984 at 100,000 chunks but 0.942 at 1,000,000, where 320 gave 0.980.
 */
export const CHUNKS_PER_WIDENING = 125_000;

/** How many of the index's best candidates are rescored in full precision, for `candidates` kept. */
export function widened(candidates: number, chunks: number): number {
  return candidates * Math.max(1, Math.ceil(chunks / CHUNKS_PER_WIDENING));
}

/**
 * Semantic search over chunks: the query is embedded by the same provider as the chunks, and only chunks of
 * that provider id are compared. The vector index answers when it is ready; `exact`, or an index still being
 * built, compares with every stored vector in full precision.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly repository: DocumentsRepository,
    private readonly embeddings: EmbeddingService,
    private readonly index: VectorIndexService,
    @Inject(SEARCH_CONFIG) private readonly config: SearchConfig,
  ) {}

  async search(query: string, options: SearchOptions): Promise<SearchHit[]> {
    const documentIds = await this.filterIds(options);
    if (documentIds?.length === 0) return [];
    const [vector] = await this.embeddings.embed([query], 'query');
    const candidates = Math.max(options.k * CANDIDATES_PER_HIT, MIN_CANDIDATES);
    const found =
      options.exact || !this.index.isReady
        ? await this.exact(vector, this.reranks ? candidates : options.k, documentIds)
        : await this.index.search({
            vector,
            k: widened(candidates, this.index.chunks),
            documentIds,
            keywordQuery: this.index.hybrid ? query : undefined,
          });
    return this.rescored(query, vector, found, options.k, candidates);
  }

  private get reranks(): boolean {
    return this.config.rerankWeight > 0 && this.embeddings.reranks;
  }

  /** The documents a filter leaves (undefined: no filter); both filters together leave their intersection. */
  private async filterIds({ documentIds, title }: SearchOptions): Promise<readonly string[] | undefined> {
    if (title === undefined) return documentIds;
    const titled = await this.repository.idsByTitle(title);
    if (documentIds === undefined) return titled;
    const wanted = new Set(documentIds);
    return titled.filter((id) => wanted.has(id));
  }

  /** Brute-force cosine over unit vectors, read page by page from the database. */
  private async exact(q: Float32Array, k: number, documentIds?: readonly string[]): Promise<IndexHit[]> {
    const model = this.embeddings.providerId;
    const pages: AsyncGenerator<ScannedChunk[]> = documentIds
      ? this.repository.scanEmbeddingsOf(documentIds, model)
      : this.repository.scanEmbeddings(model);
    const top = new TopK<{ documentId: string; chunkIndex: number }>(k);
    for await (const page of pages) {
      for (const chunk of page) {
        const v = unpackVector(chunk.embedding);
        if (v.length !== q.length) continue;
        top.offer(dot(q, v), { documentId: chunk.documentId, chunkIndex: chunk.chunkIndex });
      }
    }
    return top.best().map(({ score, item }) => ({ ...item, score }));
  }

  /**
   * The best k of the candidates by full-precision cosine (read again from the stored vectors), reranked by
   * shared glossed terms when the provider gives them, fused with their BM25 when the index gave one, with
   * their texts, best first. Of the vector index's candidates only the best `keep` by cosine are reranked and
   * fused (the keyword index's own candidates all are).
   */
  private async rescored(
    query: string,
    q: Float32Array,
    found: readonly IndexHit[],
    k: number,
    keep: number,
  ): Promise<SearchHit[]> {
    const chunks = await this.repository.chunksByKey(found);
    const read = found.flatMap((hit) => {
      // a chunk replaced since the index saw it is left out rather than shown stale
      const chunk = chunks.get(keyOf(hit.documentId, hit.chunkIndex));
      if (!chunk) return [];
      const key = keyOf(hit.documentId, hit.chunkIndex);
      return [{ hit, chunk, key, cosine: dot(q, unpackVector(chunk.embedding)) }];
    });
    const byVector = read.filter(({ hit }) => !hit.keywordOnly).sort((a, b) => b.cosine - a.cosine);
    const present = [...byVector.slice(0, keep), ...read.filter(({ hit }) => hit.keywordOnly)];
    const cosines = present.map(({ key, cosine }) => ({ key, vector: cosine }));
    const reranked = await this.reranked(
      query,
      cosines,
      present.map(({ chunk }) => chunk.text),
    );
    const vectors = reranked
      ? cosines.map(({ key }) => ({ key, vector: reranked.get(key)!.fused }))
      : cosines;
    const cosine = new Map(cosines.map(({ key, vector }) => [key, vector]));
    const keyword = new Map(
      present.flatMap(({ key, hit }) => (hit.keyword === undefined ? [] : [[key, hit.keyword]])),
    );
    const hybrid = present.some(({ hit }) => hit.keyword !== undefined);
    // the index's keyword scores are shares already: a ceiling of 1
    const fused = fuse(vectors, keyword, hybrid ? this.config.keywordWeight : 0, 1);
    const top = new TopK<SearchHit>(k);
    for (const { hit, chunk, key } of present) {
      const { keyword: bm25, fused: score } = fused.get(key)!;
      top.offer(round(score), {
        document_id: hit.documentId,
        chunk_index: hit.chunkIndex,
        text: chunk.text,
        score: round(score),
        vector_score: round(cosine.get(key)!),
        ...(hybrid ? { keyword_score: round(bm25) } : {}),
        ...(reranked ? { term_score: round(reranked.get(key)!.terms) } : {}),
      });
    }
    return top.best().map(({ item }) => item);
  }

  /** The candidates' cosines reranked by the glossed terms they share with the query (undefined: not reranked). */
  private async reranked(
    query: string,
    cosines: readonly { key: string; vector: number }[],
    texts: readonly string[],
  ): Promise<Map<string, RerankedScore> | undefined> {
    if (!this.reranks || cosines.length === 0) return undefined;
    const [queryTerms, ...terms] = await this.embeddings.terms([query, ...texts]);
    return rerank(
      { terms: queryTerms, cjk: hasCjk(query) },
      cosines.map(({ key, vector }, i) => ({ key, vector, terms: terms[i], cjk: hasCjk(texts[i]) })),
      this.config.rerankWeight,
    );
  }
}
