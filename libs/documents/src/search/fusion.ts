/** A candidate's two scores and their fusion. */
export interface FusedScore {
  vector: number;
  keyword: number;
  fused: number;
}

/**
 * Fuses cosine similarity with BM25: BM25 is divided by `ceiling`, what a text holding each query term once
 * scores (`Bm25Index.ceiling`), so that it says how much of the query's terms a chunk holds, and mixed
 * linearly with `weight`. A query sharing only a common word with a chunk then adds little, a rare term or
 * identifier matched whole adds the full weight.
 */
/** BM25 as a share of the query's ceiling (`Bm25Index.ceiling`), 0–1. */
export const keywordShare = (raw: number, ceiling: number): number =>
  ceiling > 0 ? Math.min(1, raw / ceiling) : 0;

export function fuse(
  candidates: readonly { key: string; vector: number }[],
  keyword: ReadonlyMap<string, number>,
  weight: number,
  ceiling: number,
): Map<string, FusedScore> {
  const out = new Map<string, FusedScore>();
  for (const { key, vector } of candidates) {
    const raw = keyword.get(key) ?? 0;
    out.set(key, {
      vector,
      keyword: raw,
      fused: (1 - weight) * vector + weight * keywordShare(raw, ceiling),
    });
  }
  return out;
}
