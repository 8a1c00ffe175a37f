/** A candidate's two scores and their fusion. */
export interface FusedScore {
  vector: number;
  keyword: number;
  fused: number;
}

/**
 * Fuses cosine similarity with BM25: BM25 is scaled by the best keyword score among the candidates (so it lies
 * in [0, 1] as cosine does for these vectors), then mixed linearly with `weight`. A query sharing no term with
 * any candidate leaves the vector ranking untouched.
 */
export function fuse(
  candidates: readonly { key: string; vector: number }[],
  keyword: ReadonlyMap<string, number>,
  weight: number,
): Map<string, FusedScore> {
  let best = 0;
  for (const { key } of candidates) best = Math.max(best, keyword.get(key) ?? 0);
  const out = new Map<string, FusedScore>();
  for (const { key, vector } of candidates) {
    const raw = keyword.get(key) ?? 0;
    const scaled = best > 0 ? raw / best : 0;
    out.set(key, { vector, keyword: raw, fused: (1 - weight) * vector + weight * scaled });
  }
  return out;
}
