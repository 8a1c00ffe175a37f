import { registerAs } from '@nestjs/config';
import { validateEnv } from '@app/tasks';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

class ApiEnv {
  @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  /** Comma-separated bearer keys; unset: only requests from this machine are served. */
  @IsOptional() @IsString() API_KEYS?: string;
  /** Seconds a request may take to arrive whole, its body included; past that: 408, connection closed. */
  @IsInt() @Min(1) @Max(3600) REQUEST_TIMEOUT: number = 60;
}

export interface ApiConfig {
  port: number;
  apiKeys: string[];
  /** Seconds. */
  requestTimeout: number;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const s = validateEnv(ApiEnv, env);
  const apiKeys = (s.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  return { port: s.PORT, apiKeys, requestTimeout: s.REQUEST_TIMEOUT };
}

export const apiConfig = registerAs('api', () => loadApiConfig());

/** Largest JSON body accepted, in bytes (1 MiB); a larger one is answered 413. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/**
 * The server options that bound how long a request may take to arrive whole (REQUEST_TIMEOUT): a body
 * that stops short of its Content-Length is answered 408 and its connection closed, instead of held until
 * the client gives up. Only the request is timed, not the answer (an event stream runs as long as its
 * task). Node honours a request timeout given when the server is created, and looks for late requests
 * every `connectionsCheckingInterval` (30 s by default, which would make a short bound that much late).
 */
export function requestTimeoutOptions({ requestTimeout }: ApiConfig = loadApiConfig()): {
  requestTimeout: number;
  http: { requestTimeout: number; connectionsCheckingInterval: number };
} {
  const ms = requestTimeout * 1000;
  return {
    requestTimeout: ms,
    http: { requestTimeout: ms, connectionsCheckingInterval: Math.min(ms, 1000) },
  };
}
