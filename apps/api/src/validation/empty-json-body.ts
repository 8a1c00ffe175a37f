import type { FastifyInstance } from 'fastify';

/**
 * Fastify refuses `Content-Type: application/json` with an empty body (400); many clients send that header on
 * a bodiless POST (`/tasks/{id}/revoke`, a task without parameters). Such a request is taken as having no body,
 * as the contract's original server did; anything else goes to Fastify's own parser (with its
 * prototype-poisoning protection).
 */
export function acceptEmptyJsonBodies(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    void parse(request, text, done);
  });
}
