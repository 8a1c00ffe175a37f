import { Bm25Index } from './bm25.js';
import {
  FlatIndex,
  keyOf,
  parseKey,
  type IndexHit,
  type IndexQuery,
  type IndexRow,
  type IndexStats,
} from './flat-index.js';
import { keywordShare } from './fusion.js';
import { keywordTokens } from './keyword-tokens.js';

/** What the index's owner (a thread, or the process itself in unit tests) is asked to do. */
export type IndexOp =
  | { op: 'reset' }
  | { op: 'add'; rows: IndexRow[] }
  | { op: 'replace'; documentId: string; rows: IndexRow[] }
  | { op: 'search'; query: IndexQuery }
  | { op: 'stats' };

export type IndexAnswer = IndexHit[] | IndexStats | number | null;

/**
 * Holds the vector index, and the keyword index when rows come with their texts, and applies operations to
 * them in the order they come.
 */
export class IndexOwner {
  private index: FlatIndex | undefined;
  private keywords: Bm25Index | undefined;
  /** Document → its keys in the keyword index. */
  private readonly keyed = new Map<string, string[]>();

  apply(request: IndexOp): IndexAnswer {
    switch (request.op) {
      case 'reset':
        this.index = undefined;
        this.keywords = undefined;
        this.keyed.clear();
        return null;
      case 'add':
        this.addKeywords(request.rows);
        return this.indexFor(request.rows).add(request.rows);
      case 'replace':
        this.removeKeywords(request.documentId);
        this.addKeywords(request.rows);
        this.indexFor(request.rows).replaceDocument(request.documentId, request.rows);
        // the index's size afterwards (the search widens its candidates with it)
        return this.index?.count ?? 0;
      case 'search':
        return this.search(request.query);
      case 'stats':
        return this.index?.stats() ?? { chunks: 0, documents: 0, dimensions: 0, bytes: 0 };
    }
  }

  /** The vector index's candidates, and with a keyword query the keyword index's too, each with its BM25. */
  private search(query: IndexQuery): IndexHit[] {
    const hits = this.index ? this.index.search(query) : [];
    if (query.keywordQuery === undefined || !this.keywords) return hits;
    const only = query.documentIds
      ? new Set(query.documentIds.flatMap((id) => this.keyed.get(id) ?? []))
      : undefined;
    const terms = keywordTokens(query.keywordQuery);
    const scores = this.keywords.scores(terms, only);
    const ceiling = this.keywords.ceiling(terms);
    const seen = new Set(hits.map((h) => keyOf(h.documentId, h.chunkIndex)));
    const extra = [...scores]
      .filter(([key]) => !seen.has(key))
      .sort((a, b) => b[1] - a[1])
      .slice(0, query.k)
      .map(([key]): IndexHit => ({ ...parseKey(key), score: 0, keywordOnly: true }));
    return [...hits, ...extra].map((h) => ({
      ...h,
      keyword: keywordShare(scores.get(keyOf(h.documentId, h.chunkIndex)) ?? 0, ceiling),
    }));
  }

  private addKeywords(rows: readonly IndexRow[]): void {
    for (const row of rows) {
      if (row.text === undefined) continue;
      this.keywords ??= new Bm25Index();
      const key = keyOf(row.documentId, row.chunkIndex);
      this.keywords.add(key, keywordTokens(row.text));
      const keys = this.keyed.get(row.documentId) ?? [];
      keys.push(key);
      this.keyed.set(row.documentId, keys);
    }
  }

  private removeKeywords(documentId: string): void {
    for (const key of this.keyed.get(documentId) ?? []) this.keywords?.remove(key);
    this.keyed.delete(documentId);
  }

  /** The index, made on the first row seen: its vectors' length sets the dimensions. */
  private indexFor(rows: readonly IndexRow[]): FlatIndex {
    this.index ??= new FlatIndex(rows.length > 0 ? rows[0].embedding.byteLength >> 2 : 0);
    return this.index;
  }
}
