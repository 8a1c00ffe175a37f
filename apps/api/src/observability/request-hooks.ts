import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { activeTracer, redactUrl, type Logger } from '@app/tasks';

export const REQUEST_ID_HEADER = 'x-request-id';
/** An id a client may choose: printable ASCII without spaces, at most 128 characters. */
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Fastify's `genReqId`: the client's `X-Request-Id` when it is a fit one, else a new UUID. */
export function requestIdOf(request: { headers: IncomingHttpHeaders }): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

/**
 * What every request gets, as Fastify hooks: its id echoed in `X-Request-Id`; one access line when it is
 * answered; with tracing on, a server span (continuing a `traceparent` the client sent), the active one while
 * the handler runs: tasks it queues carry the trace into the worker (their request id is passed by the
 * handler: `RequestOrigin`). The span is entered in `preHandler`, after the body is read: async context set
 * before would be lost across the body's stream events.
 */
export function installRequestHooks(fastify: FastifyInstance, log: Logger): void {
  const spans = new WeakMap<FastifyRequest, Span>();

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    const tracer = activeTracer();
    if (tracer) {
      const route = request.routeOptions.url;
      const span = tracer.startSpan(
        route ? `${request.method} ${route}` : request.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: request.method,
            [ATTR_URL_PATH]: pathOf(request.url),
            [ATTR_URL_SCHEME]: request.protocol,
            ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
          },
        },
        propagation.extract(ROOT_CONTEXT, request.headers),
      );
      spans.set(request, span);
    }
    done();
  });

  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (span) context.with(trace.setSpan(ROOT_CONTEXT, span), done);
    else done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const url = redactUrl(request.url);
    const line = { request_id: request.id, method: request.method, url, status, ms };
    const message = `${request.method} ${url} ${status} ${ms} ms`;
    if (status >= 500) log.error(line, message);
    else log.info(line, message);
    const span = spans.get(request);
    if (span) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });

  // a client gone before its answer: no onResponse, but its span must end
  fastify.addHook('onRequestAbort', (request, done) => {
    spans.get(request)?.end();
    done();
  });
}
