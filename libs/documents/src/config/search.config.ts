import { registerAs } from '@nestjs/config';
import { validateEnv } from '@app/config';
import { IsIn, IsInt, IsNumber, Max, Min } from 'class-validator';

export const SEARCH_INDEXES = ['flat', 'none'] as const;

class SearchEnv {
  /** `flat`: an in-memory int8 index per API process; `none`: every search reads all vectors from the database. */
  @IsIn(SEARCH_INDEXES, { message: `SEARCH_INDEX must be one of ${SEARCH_INDEXES.join(', ')}` })
  SEARCH_INDEX: string = 'flat';
  /** Milliseconds between two looks at the change log (how stale a replica's index may be). */
  @IsInt() @Min(10) @Max(60_000) SEARCH_INDEX_POLL_MS: number = 250;
  /** Share of BM25 in the ranking (0: vectors alone, and no keyword index is kept). */
  @IsNumber() @Min(0) @Max(1) SEARCH_KEYWORD_WEIGHT: number = 0;
  /**
   * Share of the glossed terms a candidate shares with the query when the best candidates are reranked (0: not
   * reranked). Only providers with cross-language terms (the semantic one) rerank.
   */
  @IsNumber() @Min(0) @Max(1) SEARCH_RERANK_WEIGHT: number = 0.05;
}

export interface SearchConfig {
  index: (typeof SEARCH_INDEXES)[number];
  pollMs: number;
  keywordWeight: number;
  rerankWeight: number;
}

export function loadSearchConfig(env: NodeJS.ProcessEnv = process.env): SearchConfig {
  const s = validateEnv(SearchEnv, env);
  return {
    index: s.SEARCH_INDEX as SearchConfig['index'],
    pollMs: s.SEARCH_INDEX_POLL_MS,
    keywordWeight: s.SEARCH_KEYWORD_WEIGHT,
    rerankWeight: s.SEARCH_RERANK_WEIGHT,
  };
}

export const searchConfig = registerAs('search', () => loadSearchConfig());
