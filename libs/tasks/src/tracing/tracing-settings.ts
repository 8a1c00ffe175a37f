import { validateEnv } from '@app/config';
import { IsOptional, IsUrl } from 'class-validator';

class TracingEnv {
  /** The OTLP/HTTP collector (`http://host:4318`): traces are exported there; unset, nothing is traced. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL' },
  )
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
}

export interface TracingSettings {
  endpoint?: string;
}

export function loadTracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  return { endpoint: validateEnv(TracingEnv, env).OTEL_EXPORTER_OTLP_ENDPOINT };
}
