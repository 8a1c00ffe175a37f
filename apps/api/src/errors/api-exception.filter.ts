import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import {
  IdempotencyConflictError,
  InvalidOptionError,
  NotJsonError,
  PayloadValidationError,
  TaskNotFoundError,
  UnknownTaskError,
  WorkflowSpecError,
} from '@app/tasks';
import { HistoryDisabledError } from '@app/history';
import { ScheduleNotFoundError } from '@app/schedules';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

const REDIS_DOWN =
  /Connection is closed|Stream isn't writeable|ECONNREFUSED|ETIMEDOUT|MaxRetriesPerRequest|Reached the max retries|connect E/i;

/**
 * Fastify's own errors (body parsing, content types, multipart limits) carry a `FST_…` code and a 4xx status:
 * the client's fault.
 */
function fastifyClientError(error: unknown): { status: number; code: string } | undefined {
  const e = error as { code?: unknown; statusCode?: unknown };
  return typeof e.code === 'string' &&
    e.code.startsWith('FST_') &&
    typeof e.statusCode === 'number' &&
    e.statusCode >= 400 &&
    e.statusCode < 500
    ? { status: e.statusCode, code: e.code }
    : undefined;
}

/**
 * Node's error on a request whose client hung up before the body arrived whole (or that the request timeout
 * closed after answering 408): there is nobody left to answer, and it is not the server's fault.
 */
function requestAborted(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.message === 'aborted' &&
    (error as { code?: unknown }).code === 'ECONNRESET'
  );
}

function fastifyMessage(status: number, code: string, message: string): string {
  if (code === 'FST_REQ_FILE_TOO_LARGE') return 'file: too large, over UPLOAD_MAX_BYTES';
  if (status === 413) return `Request body too large: ${message}`;
  if (status === 400) return `Malformed request body: ${message}`;
  return message;
}

/** Maps a thrown error to a status and a message naming the cause; anything unexpected is a logged 500. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? (response as { message: string | string[] }).message
        : error.message;
    return { statusCode: error.getStatus(), error: STATUS_CODES[error.getStatus()] ?? 'Error', message };
  }
  const client = (status: number, message: string | string[]): ErrorBody => ({
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message,
  });
  if (
    error instanceof UnknownTaskError ||
    error instanceof TaskNotFoundError ||
    error instanceof ScheduleNotFoundError
  )
    return client(404, error.message);
  if (error instanceof PayloadValidationError) return client(400, error.problems);
  if (
    error instanceof InvalidOptionError ||
    error instanceof NotJsonError ||
    error instanceof WorkflowSpecError
  )
    return client(400, error.message);
  if (error instanceof IdempotencyConflictError) return client(409, error.message);
  if (error instanceof HistoryDisabledError) return client(503, error.message);
  const fastify = fastifyClientError(error);
  if (fastify)
    return client(fastify.status, fastifyMessage(fastify.status, fastify.code, (error as Error).message));
  if (requestAborted(error)) return client(400, 'Request aborted: its body did not arrive whole');
  if (error instanceof Error && REDIS_DOWN.test(error.message)) {
    return client(503, 'Broker (Redis) unavailable, try again shortly');
  }
  return client(500, 'Internal server error');
}

/**
 * An HttpException thrown with a whole body of its own and no message (the health check's report, which names
 * the dependency that is down): answered as it is, as Nest would.
 */
function ownBody(error: unknown): object | undefined {
  if (!(error instanceof HttpException)) return undefined;
  const response = error.getResponse();
  return typeof response === 'object' && response !== null && !('message' in response) ? response : undefined;
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiError');

  catch(error: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(error);
    const http = host.switchToHttp();
    if (body.statusCode >= 500 && body.statusCode !== 503) {
      const msg = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.logger.error({ request_id: http.getRequest<FastifyRequest | undefined>()?.id, msg });
    }
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) return;
    if (body.statusCode === 503) void reply.header('Retry-After', '5');
    void reply.status(body.statusCode).send(ownBody(error) ?? body);
  }
}
