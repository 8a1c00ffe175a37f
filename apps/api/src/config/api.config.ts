import { registerAs } from '@nestjs/config';
import { validateEnv } from '@app/tasks';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

class ApiEnv {
  @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  /** Comma-separated bearer keys; unset: only requests from this machine are served. */
  @IsOptional() @IsString() API_KEYS?: string;
}

export interface ApiConfig {
  port: number;
  apiKeys: string[];
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const s = validateEnv(ApiEnv, env);
  const apiKeys = (s.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  return { port: s.PORT, apiKeys };
}

export const apiConfig = registerAs('api', () => loadApiConfig());

/** Largest JSON body accepted, in bytes (1 MiB); a larger one is answered 413. */
export const JSON_BODY_LIMIT = 1024 * 1024;
