/** Okapi BM25's usual constants: term frequency saturation and length normalization. */
const K1 = 1.2;
const B = 0.75;

/**
 * Okapi BM25 over short texts held in memory, with removal. Small enough to write (an inverted index of a
 * few dozen lines); the libraries on npm keep no removal, or carry a whole text pipeline we would replace.
 */
export class Bm25Index {
  /** Term → row → term frequency. */
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly rows = new Map<string, { row: number; terms: string[]; length: number }>();
  private readonly keyOfRow = new Map<number, string>();
  private nextRow = 0;
  private totalLength = 0;

  get count(): number {
    return this.rows.size;
  }

  /** Adds (or replaces) one text's terms under its key. */
  add(key: string, terms: readonly string[]): void {
    this.remove(key);
    const row = this.nextRow++;
    const counts = new Map<string, number>();
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const [term, tf] of counts) {
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = new Map<number, number>()));
      list.set(row, tf);
    }
    this.rows.set(key, { row, terms: [...counts.keys()], length: terms.length });
    this.keyOfRow.set(row, key);
    this.totalLength += terms.length;
  }

  remove(key: string): void {
    const entry = this.rows.get(key);
    if (!entry) return;
    for (const term of entry.terms) {
      const list = this.postings.get(term)!;
      list.delete(entry.row);
      if (list.size === 0) this.postings.delete(term);
    }
    this.rows.delete(key);
    this.keyOfRow.delete(entry.row);
    this.totalLength -= entry.length;
  }

  /**
   * What a text of average length holding each query term once scores: BM25 divided by it says how much of
   * the query's weight a text matches (above 1 only for repeated terms or a short text).
   */
  ceiling(query: readonly string[]): number {
    const n = this.rows.size;
    let sum = 0;
    for (const term of new Set(query)) {
      const df = this.postings.get(term)?.size ?? 0;
      if (df > 0) sum += this.idf(df, n);
    }
    return sum;
  }

  /** BM25 of every text sharing a term with the query (among `only` when given), keyed as added. */
  scores(query: readonly string[], only?: ReadonlySet<string>): Map<string, number> {
    const out = new Map<string, number>();
    const n = this.rows.size;
    if (n === 0) return out;
    const averageLength = this.totalLength / n;
    for (const term of new Set(query)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = this.idf(list.size, n);
      for (const [row, tf] of list) {
        const key = this.keyOfRow.get(row)!;
        if (only && !only.has(key)) continue;
        const length = this.rows.get(key)!.length;
        const score = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / averageLength));
        out.set(key, (out.get(key) ?? 0) + score);
      }
    }
    return out;
  }

  private idf(df: number, n: number): number {
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }
}
