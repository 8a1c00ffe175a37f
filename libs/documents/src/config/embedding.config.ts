import { registerAs } from '@nestjs/config';
import { InvalidSettingsError, settingProblem, validateEnv } from '@app/config';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const EMBEDDING_PROVIDERS = ['semantic', 'hash', 'openai'] as const;
export type EmbeddingProviderName = (typeof EMBEDDING_PROVIDERS)[number];

class EmbeddingEnv {
  @IsIn(EMBEDDING_PROVIDERS, {
    message: `EMBEDDING_PROVIDER must be one of ${EMBEDDING_PROVIDERS.join(', ')}`,
  })
  EMBEDDING_PROVIDER: string = 'semantic';

  /** Base URL of an OpenAI-compatible API (`…/v1`); `/embeddings` is appended. */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, {
    message: 'EMBEDDING_API_URL must be an http(s) URL such as http://127.0.0.1:11434/v1',
  })
  EMBEDDING_API_URL?: string;

  @IsOptional() @IsString() EMBEDDING_API_KEY?: string;
  @IsString() EMBEDDING_MODEL: string = 'text-embedding-3-small';
  @IsInt() @Min(1) @Max(2048) EMBEDDING_BATCH_SIZE: number = 64;
  /** Seconds one HTTP request to the embedding API may take. */
  @IsInt() @Min(1) @Max(600) EMBEDDING_TIMEOUT: number = 30;
}

export interface EmbeddingConfig {
  provider: EmbeddingProviderName;
  apiUrl?: string;
  apiKey?: string;
  model: string;
  batchSize: number;
  timeoutMs: number;
}

export function loadEmbeddingConfig(env: NodeJS.ProcessEnv = process.env): EmbeddingConfig {
  const s = validateEnv(EmbeddingEnv, env);
  const provider = s.EMBEDDING_PROVIDER as EmbeddingProviderName;
  if (provider === 'openai' && !s.EMBEDDING_API_URL) {
    throw new InvalidSettingsError([
      settingProblem('EMBEDDING_API_URL', 'is required when EMBEDDING_PROVIDER=openai', env),
    ]);
  }
  return {
    provider,
    apiUrl: s.EMBEDDING_API_URL,
    apiKey: s.EMBEDDING_API_KEY,
    model: s.EMBEDDING_MODEL,
    batchSize: s.EMBEDDING_BATCH_SIZE,
    timeoutMs: s.EMBEDDING_TIMEOUT * 1000,
  };
}

export const embeddingConfig = registerAs('embedding', () => loadEmbeddingConfig());
