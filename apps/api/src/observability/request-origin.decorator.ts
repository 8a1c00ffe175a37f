import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RequestContext } from '@app/tasks';
import type { FastifyRequest } from 'fastify';

/**
 * The request as a producer names it (`RequestContext`): a handler passes it to whatever it queues, so that
 * the tasks' log lines in the worker carry this request's id (`X-Request-Id`).
 */
export const RequestOrigin = createParamDecorator(
  (_: unknown, context: ExecutionContext): RequestContext => ({
    requestId: context.switchToHttp().getRequest<FastifyRequest>().id,
  }),
);
