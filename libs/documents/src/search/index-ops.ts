import { FlatIndex, type IndexHit, type IndexQuery, type IndexRow, type IndexStats } from './flat-index.js';

/** What the index's owner (a thread, or the process itself in unit tests) is asked to do. */
export type IndexOp =
  | { op: 'reset' }
  | { op: 'add'; rows: IndexRow[] }
  | { op: 'replace'; documentId: string; rows: IndexRow[] }
  | { op: 'search'; query: IndexQuery }
  | { op: 'stats' };

export type IndexAnswer = IndexHit[] | IndexStats | number | null;

/** Holds one index and applies operations to it in the order they come. */
export class IndexOwner {
  private index: FlatIndex | undefined;

  apply(request: IndexOp): IndexAnswer {
    switch (request.op) {
      case 'reset':
        this.index = undefined;
        return null;
      case 'add':
        return this.indexFor(request.rows).add(request.rows);
      case 'replace':
        this.indexFor(request.rows).replaceDocument(request.documentId, request.rows);
        return null;
      case 'search':
        return this.index ? this.index.search(request.query) : [];
      case 'stats':
        return this.index?.stats() ?? { chunks: 0, documents: 0, dimensions: 0, bytes: 0 };
    }
  }

  /** The index, made on the first row seen: its vectors' length sets the dimensions. */
  private indexFor(rows: readonly IndexRow[]): FlatIndex {
    this.index ??= new FlatIndex(rows.length > 0 ? rows[0].embedding.byteLength >> 2 : 0);
    return this.index;
  }
}
