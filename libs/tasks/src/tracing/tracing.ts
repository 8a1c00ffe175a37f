import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { loadTracingSettings } from './tracing-settings.js';

let provider: NodeTracerProvider | undefined;
let tracer: Tracer | undefined;

/**
 * The tracer while tracing is on, else undefined: the one check the hot paths make (no SDK, no span, nothing
 * injected into jobs when it is off).
 */
export function activeTracer(): Tracer | undefined {
  return tracer;
}

/**
 * Starts the OpenTelemetry SDK for this process with the given span processor: the global tracer provider,
 * the AsyncLocalStorage context manager (the active span follows async calls) and the W3C propagator.
 */
export function startTracing(serviceName: string, processor: SpanProcessor): void {
  if (provider) throw new Error('tracing is started already');
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [processor],
  });
  provider.register();
  tracer = trace.getTracer('codehubot-tasks');
}

/**
 * Starts tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: spans batched and exported over OTLP/HTTP (JSON),
 * configured by the standard `OTEL_EXPORTER_OTLP_*` and `OTEL_BSP_*` variables. True when it did.
 */
export function startTracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!loadTracingSettings(env).endpoint) return false;
  startTracing(serviceName, new BatchSpanProcessor(new OTLPTraceExporter()));
  return true;
}

/** Exports what is still buffered and stops the SDK (before the process leaves); a no-op when it is off. */
export async function stopTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  tracer = undefined;
  if (!current) return;
  await current.shutdown().catch(() => undefined);
  trace.disable();
  context.disable();
  propagation.disable();
}
