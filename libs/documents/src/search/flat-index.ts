import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type * as USearch from 'usearch';
import { unpackVector } from '../embedding/vector.js';

// usearch's ES module build fails to find its prebuilt binary; its CommonJS build finds it
const usearch = createRequire(import.meta.url)('usearch') as typeof USearch;

/** One chunk's vector as stored (little-endian float32 bytes), keyed by its document and index. */
export interface IndexRow {
  documentId: string;
  chunkIndex: number;
  embedding: Uint8Array;
  /** The chunk's text, for the keyword index (absent when keyword ranking is off). */
  text?: string;
}

export interface IndexHit {
  documentId: string;
  chunkIndex: number;
  /** Cosine similarity of the quantized vectors (0 for a candidate found by its keywords only). */
  score: number;
  /** When asked for: the chunk's BM25 as a share of what a text holding each query term once scores (0–1). */
  keyword?: number;
  /** Proposed by the keyword index alone (not among the vector index's candidates). */
  keywordOnly?: boolean;
}

/** Filters are applied before scoring: only these documents' chunks are compared. */
export interface IndexQuery {
  vector: Float32Array;
  k: number;
  documentIds?: readonly string[];
  /** The query's text: the keyword index adds its own best k candidates and scores all of them. */
  keywordQuery?: string;
}

export interface IndexStats {
  chunks: number;
  documents: number;
  dimensions: number;
  bytes: number;
}

/**
 * Scales a vector so that its largest component is ±127 and rounds it to int8. Cosine is blind to a vector's
 * length, so each vector gets its own scale and keeps all 8 bits (a fixed scale would leave the small
 * components of 1024-dimension unit vectors a few levels only).
 */
export function quantize(vector: Float32Array, out: Int8Array = new Int8Array(vector.length)): Int8Array {
  let max = 0;
  for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i]));
  const scale = max > 0 ? 127 / max : 0;
  for (let i = 0; i < vector.length; i++) out[i] = Math.round(vector[i] * scale);
  return out;
}

/**
 * Rows from which one scan is split over several threads: below it a single core takes a few tens of
 * milliseconds and threads would only add their start-up; at 1,000,000 rows one core takes ~175–340 ms.
 */
export const PARALLEL_SCAN_ROWS = 250_000;

export interface FlatIndexOptions {
  /** Threads for a scan of at least `parallelFrom` rows (default: the machine's cores). */
  threads?: number;
  /** Rows from which a scan uses `threads` (default `PARALLEL_SCAN_ROWS`). */
  parallelFrom?: number;
}

/** A chunk's key in the indexes, `documentId:chunkIndex`, and back. */
export const keyOf = (documentId: string, chunkIndex: number): string => `${documentId}:${chunkIndex}`;

export function parseKey(key: string): { documentId: string; chunkIndex: number } {
  const split = key.lastIndexOf(':');
  return { documentId: key.slice(0, split), chunkIndex: Number(key.slice(split + 1)) };
}

/**
 * Every chunk's vector quantized to int8 in one dense matrix (1 KiB a chunk at 1024 dimensions), scanned
 * exhaustively by usearch's SIMD kernels. Exhaustive means exact up to quantization: every filter keeps the
 * best of what it leaves, and nothing needs building or saving. Rows are kept dense: a removed row's place is
 * taken by the last row.
 */
export class FlatIndex {
  private matrix = new Int8Array(0);
  private size = 0;
  /** Row → chunk key, and chunk key → row. */
  private readonly keys: string[] = [];
  private readonly rows = new Map<string, number>();
  /** Document → its chunk indexes present in the index. */
  private readonly chunksOf = new Map<string, Set<number>>();

  /** Threads for a large scan; may be changed between searches. */
  threads: number;
  private readonly parallelFrom: number;

  constructor(
    readonly dimensions: number,
    options: FlatIndexOptions = {},
  ) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.parallelFrom = options.parallelFrom ?? PARALLEL_SCAN_ROWS;
  }

  get count(): number {
    return this.size;
  }

  /** Adds or overwrites rows; a row whose vector has other dimensions is skipped (returns how many were). */
  add(rows: readonly IndexRow[]): number {
    let skipped = 0;
    for (const row of rows) {
      if (row.embedding.byteLength !== this.dimensions * 4) {
        skipped++;
        continue;
      }
      const key = keyOf(row.documentId, row.chunkIndex);
      let at = this.rows.get(key);
      if (at === undefined) {
        at = this.size++;
        this.reserve(this.size);
        this.keys[at] = key;
        this.rows.set(key, at);
        const chunks = this.chunksOf.get(row.documentId) ?? new Set<number>();
        chunks.add(row.chunkIndex);
        this.chunksOf.set(row.documentId, chunks);
      }
      quantize(
        unpackVector(row.embedding),
        this.matrix.subarray(at * this.dimensions, (at + 1) * this.dimensions),
      );
    }
    return skipped;
  }

  /** A document's rows become exactly these (none: the document leaves the index). */
  replaceDocument(documentId: string, rows: readonly IndexRow[]): void {
    this.removeDocument(documentId);
    this.add(rows);
  }

  removeDocument(documentId: string): void {
    const chunks = this.chunksOf.get(documentId);
    if (!chunks) return;
    for (const chunkIndex of chunks) this.removeRow(keyOf(documentId, chunkIndex));
    this.chunksOf.delete(documentId);
  }

  /** The k most similar chunks (among the given documents' when a filter is set), best first. */
  search({ vector, k, documentIds }: IndexQuery): IndexHit[] {
    if (vector.length !== this.dimensions) return [];
    const subset = documentIds ? this.rowsOf(documentIds) : undefined;
    const count = subset ? subset.length : this.size;
    if (count === 0) return [];
    const d = this.dimensions;
    const dataset = subset ? this.gather(subset) : this.matrix.subarray(0, this.size * d);
    const found = usearch.exactSearch(
      dataset,
      quantize(vector),
      d,
      Math.min(k, count),
      usearch.MetricKind.Cos,
      count >= this.parallelFrom ? this.threads : 1,
    );
    return Array.from(found.keys, (position, i) => {
      const row = subset ? subset[Number(position)] : Number(position);
      return { ...parseKey(this.keys[row]), score: 1 - found.distances[i] };
    });
  }

  stats(): IndexStats {
    return {
      chunks: this.size,
      documents: this.chunksOf.size,
      dimensions: this.dimensions,
      bytes: this.matrix.byteLength,
    };
  }

  private rowsOf(documentIds: readonly string[]): number[] {
    const out: number[] = [];
    for (const documentId of new Set(documentIds)) {
      for (const chunkIndex of this.chunksOf.get(documentId) ?? []) {
        out.push(this.rows.get(keyOf(documentId, chunkIndex)) as number);
      }
    }
    return out;
  }

  private gather(rows: readonly number[]): Int8Array {
    const d = this.dimensions;
    const out = new Int8Array(rows.length * d);
    rows.forEach((row, i) => out.set(this.matrix.subarray(row * d, (row + 1) * d), i * d));
    return out;
  }

  private removeRow(key: string): void {
    const at = this.rows.get(key);
    if (at === undefined) return;
    const last = --this.size;
    const d = this.dimensions;
    if (at !== last) {
      this.matrix.copyWithin(at * d, last * d, (last + 1) * d);
      this.keys[at] = this.keys[last];
      this.rows.set(this.keys[at], at);
    }
    this.keys.length = last;
    this.rows.delete(key);
  }

  /** Grows the matrix by half again when full: amortized O(1) adds, at most a third of it unused. */
  private reserve(rows: number): void {
    const needed = rows * this.dimensions;
    if (needed <= this.matrix.length) return;
    const grown = new Int8Array(
      Math.max(needed, Math.ceil(this.matrix.length * 1.5), 1024 * this.dimensions),
    );
    grown.set(this.matrix);
    this.matrix = grown;
  }
}
