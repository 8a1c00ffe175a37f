import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { E2E_TIMEOUT_MS } from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

/** One span as OTLP/HTTP JSON carries it (ids in hex), with the service that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number };
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: (Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes?: OtlpAttribute[] })[];
    }[];
  }[];
}

const attributes = (list: OtlpAttribute[] = []): Record<string, unknown> =>
  Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]));

/** A collector in the test: takes OTLP/HTTP JSON on /v1/traces and keeps every span. */
class TestCollector {
  readonly spans: ReceivedSpan[] = [];
  readonly paths: string[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as OtlpRequest;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = String(attributes(resourceSpans.resource?.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              this.spans.push({ ...span, service, attributes: attributes(span.attributes) });
            }
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Traces from outside the processes: the built API and a worker export to a collector in the test over
 * OTLP/HTTP; the API's span for the request and the worker's span for the task's run are one trace, the
 * worker's a descendant of the request's.
 */
describe('tracing: HTTP request → queue → worker run, exported over OTLP/HTTP', () => {
  const collector = new TestCollector();
  let system: TestSystem;

  beforeAll(async () => {
    const port = await collector.start();
    system = await TestSystem.start({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
    await system.startWorker(['--queues', 'default', '--pool', 'inline']);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await collector.close();
  });

  it('the worker’s run span descends from the API’s request span, in one trace', async () => {
    const { body } = await system.submit('tasks.add', { args: [20, 22] });
    expect(await system.waitForState(body.task_id, 'SUCCESS')).toMatchObject({ result: 42 });

    const deadline = Date.now() + 30_000;
    let run: ReceivedSpan | undefined;
    while (!run && Date.now() < deadline) {
      run = collector.spans.find(
        (s) => s.attributes['messaging.message.id'] === body.task_id && s.kind === 5,
      );
      await sleep(50);
    }
    expect(run).toMatchObject({
      service: 'codehubot-worker',
      name: 'process tasks.add',
      attributes: {
        'messaging.system': 'bullmq',
        'messaging.destination.name': 'default',
        'codehubot.task.name': 'tasks.add',
      },
    });
    // the request's span ends once its answer is sent: it may come in a later export
    let request: ReceivedSpan | undefined;
    while (!request && Date.now() < deadline) {
      request = collector.spans.find(
        (s) => s.service === 'codehubot-api' && s.traceId === run?.traceId && s.kind === 2,
      );
      await sleep(50);
    }
    expect(request).toMatchObject({
      name: 'POST /tasks/:name',
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 202 },
    });

    // walk up from the run span: through the API's send span to the request span
    const byId = new Map(collector.spans.map((s) => [s.spanId, s]));
    const path: string[] = [];
    for (let span: ReceivedSpan | undefined = run; span; span = byId.get(span.parentSpanId ?? '')) {
      path.push(`${span.service}: ${span.name}`);
    }
    expect(path).toEqual([
      'codehubot-worker: process tasks.add',
      'codehubot-api: send tasks.add',
      'codehubot-api: POST /tasks/:name',
    ]);
    expect(collector.paths.every((p) => p.startsWith('POST /v1/traces application/json'))).toBe(true);
  });
});
