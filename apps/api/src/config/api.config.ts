import { loadHousekeepingConfig } from '@app/housekeeping';
import { loadSchedulesConfig } from '@app/schedules';
import { registerAs } from '@nestjs/config';
import { loadDatabaseOptions } from '@app/database';
import { loadHistoryConfig } from '@app/history';
import { loadDocumentsConfig, loadEmbeddingConfig, loadSearchConfig } from '@app/documents';
import { loadAlertsConfig, loadLogSettings, loadTasksConfig, loadTracingSettings } from '@app/tasks';
import { validateEnv, type SettingsLoader } from '@app/config';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

/** `API_KEYS` as a list: comma separated, blanks dropped. */
const parseKeys = (list: string | undefined): string[] =>
  (list ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);

/** Loopback addresses, and `localhost`: what the API may listen on without API keys. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Without API keys the API serves this machine only, so it listens on loopback: a HOST that would open it
 * to the network is refused rather than served with no authentication.
 */
@ValidatorConstraint({ name: 'loopbackWithoutKeys' })
class LoopbackWithoutKeys implements ValidatorConstraintInterface {
  validate(host: string, args: ValidationArguments): boolean {
    return parseKeys((args.object as ApiEnv).API_KEYS).length > 0 || isLoopbackHost(host);
  }

  defaultMessage(): string {
    return 'must be a loopback address (127.0.0.1, ::1, localhost) while API_KEYS is unset: without keys the API serves this machine only; set API_KEYS to listen on other interfaces';
  }
}

class ApiEnv {
  @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  /** Comma-separated bearer keys; unset: only requests from this machine are served. */
  @IsOptional() @IsString() API_KEYS?: string;
  /** Interface to listen on; unset: all interfaces with keys, loopback without. */
  @IsOptional()
  @Matches(/^([0-9A-Fa-f:.]+|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/, {
    message: 'HOST must be an interface address (0.0.0.0, ::, 127.0.0.1, …) or a host name',
  })
  @Validate(LoopbackWithoutKeys)
  HOST?: string;
  /** Seconds between keep-alive comments on a quiet Server-Sent Events stream. */
  @IsInt() @Min(1) @Max(3600) SSE_KEEPALIVE: number = 15;
  /** Seconds a request may take to arrive whole, its body included; past that: 408, connection closed. */
  @IsInt() @Min(1) @Max(3600) REQUEST_TIMEOUT: number = 60;
}

export interface ApiConfig {
  port: number;
  /** The interface the API listens on. */
  host: string;
  apiKeys: string[];
  sseKeepAliveMs: number;
  /** Seconds. */
  requestTimeout: number;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const s = validateEnv(ApiEnv, env);
  const apiKeys = parseKeys(s.API_KEYS);
  const host = s.HOST ?? (apiKeys.length > 0 ? '0.0.0.0' : '127.0.0.1');
  return {
    port: s.PORT,
    host,
    apiKeys,
    sseKeepAliveMs: s.SSE_KEEPALIVE * 1000,
    requestTimeout: s.REQUEST_TIMEOUT,
  };
}

export const apiConfig = registerAs('api', () => loadApiConfig());

/** Every group of settings the API reads, checked in one pass at start-up. */
export const API_SETTINGS: readonly SettingsLoader[] = [
  loadApiConfig,
  loadTasksConfig,
  loadAlertsConfig,
  loadDatabaseOptions,
  loadDocumentsConfig,
  loadEmbeddingConfig,
  loadSearchConfig,
  loadLogSettings,
  loadTracingSettings,
  loadHistoryConfig,
  loadSchedulesConfig,
  loadHousekeepingConfig,
];

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
