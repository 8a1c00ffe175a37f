import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectClientError, messageOf } from '../utils/client-error.js';
import { API_KEY, TestSystem } from '../utils/test-system.js';

/** No task and no worker are needed: every request here must be refused before anything is queued. */
describe('REST API: bad input, authentication, OpenAPI', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  describe('POST /tasks/{name} refuses bad input with a 4xx naming the problem', () => {
    it('unknown task name → 404 naming the task', async () => {
      expectClientError(await system.submit('tasks.nope', { args: [] }), 404, /tasks\.nope/);
    });

    it('an argument of the wrong type → 400 naming it', async () => {
      const answer = await system.submit('tasks.add', { args: [1, 'x'] });
      expectClientError(answer, 400, /\by\b/);
      expect(messageOf(answer)).not.toMatch(/\bx:/);
    });

    it('a missing argument → 400 naming it', async () => {
      expectClientError(await system.submit('tasks.add', { args: [1] }), 400, /\by\b/);
      expectClientError(await system.submit('tasks.add', { kwargs: { y: 2 } }), 400, /\bx\b/);
    });

    it('too many positional arguments → 400', async () => {
      expectClientError(await system.submit('tasks.add', { args: [1, 2, 3] }), 400, /positional|args/);
    });

    it('an unknown kwarg → 400 naming it', async () => {
      const answer = await system.submit('tasks.add', { kwargs: { x: 1, y: 2, z: 3 } });
      expectClientError(answer, 400, /\bz\b/);
    });

    it('the same parameter in args and kwargs → 400 naming it', async () => {
      const answer = await system.submit('tasks.add', { args: [1, 2], kwargs: { x: 5 } });
      expectClientError(answer, 400, /\bx\b/);
    });

    it('an unknown body field → 400 naming it', async () => {
      const answer = await system.submit('tasks.add', { args: [1, 2], retries: 3 });
      expectClientError(answer, 400, /retries/);
    });

    it('malformed JSON → 400', async () => {
      const answer = await system.request('POST', '/tasks/tasks.add', '{"args": [1, 2');
      expectClientError(answer, 400, /JSON|malformed|parse/i);
    });

    it('a body over 1 MB → 413', async () => {
      const big = JSON.stringify({ kwargs: { data: { blob: 'x'.repeat(1024 * 1024 + 10) } } });
      const answer = await system.request('POST', '/tasks/tasks.process_data', big);
      expectClientError(answer, 413, /large/i);
    });

    it('a body just under 1 MB is accepted', async () => {
      const answer = await system.submit('tasks.process_data', {
        kwargs: { data: { blob: 'x'.repeat(1000 * 1000) } },
      });
      expect(answer.status).toBe(202);
    });

    it('a negative countdown → 400 naming countdown', async () => {
      const answer = await system.submit('tasks.add', { args: [1, 2], countdown: -5 });
      expectClientError(answer, 400, /countdown/);
    });

    it('countdown together with eta → 400 naming both', async () => {
      const eta = new Date(Date.now() + 60_000).toISOString();
      const answer = await system.submit('tasks.add', { args: [1, 2], countdown: 10, eta });
      expectClientError(answer, 400, /countdown/);
      expect(messageOf(answer)).toMatch(/eta/);
    });

    it('an eta that is not an ISO time → 400 naming eta', async () => {
      for (const eta of ['tomorrow', '2026-13-45T99:00:00Z', 12345]) {
        const answer = await system.submit('tasks.add', { args: [1, 2], eta });
        expectClientError(answer, 400, /eta/);
      }
    });

    it('a bad priority → 400 naming priority', async () => {
      for (const priority of [-1, 1.5, 'high', 2_097_153]) {
        const answer = await system.submit('tasks.add', { args: [1, 2], priority });
        expectClientError(answer, 400, /priority/);
      }
    });

    it('a bad queue name → 400 naming queue', async () => {
      for (const queue of ['no spaces', 'a:b', '_ours', '', 'x'.repeat(65)]) {
        const answer = await system.submit('tasks.add', { args: [1, 2], queue });
        expectClientError(answer, 400, /queue/);
      }
    });

    it('args that are not an array → 400 naming args', async () => {
      for (const args of [{ x: 1 }, '1,2', 3]) {
        const answer = await system.submit('tasks.add', { args });
        expectClientError(answer, 400, /args/);
      }
    });

    it('kwargs that are not an object → 400 naming kwargs', async () => {
      const answer = await system.submit('tasks.add', { kwargs: [1, 2] });
      expectClientError(answer, 400, /kwargs/);
    });

    it('a body that is not an object → 400', async () => {
      const answer = await system.request('POST', '/tasks/tasks.add', '[1, 2]');
      expect(answer.status).toBe(400);
    });

    it('no body at all → 400 naming the missing arguments, not a 500', async () => {
      const answer = await system.request('POST', '/tasks/tasks.add');
      expectClientError(answer, 400, /\bx\b/);
      expect(messageOf(answer)).toMatch(/\by\b/);
    });

    it('a body that is not JSON → 4xx, not a 500', async () => {
      const answer = await system.request('POST', '/tasks/tasks.add', 'x=1&y=2', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    });

    it('queued nothing for any of the refused submissions', async () => {
      const redis = system.redis.client();
      try {
        const waiting = await redis.keys(`${system.prefix}:default:*`);
        const jobs = waiting.filter((key) => /:default:[0-9a-f-]{36}$/.test(key));
        // only the one accepted 1 MB submission above made a job
        expect(jobs).toHaveLength(1);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('task ids', () => {
    it('a task id that is not a UUID names nothing → the 404 of an unknown id, on every route', async () => {
      expectClientError(await system.request('GET', '/tasks/12345'), 404, /No task 12345/);
      expectClientError(await system.request('POST', '/tasks/not-a-uuid/revoke', {}), 404, /not-a-uuid/);
    });

    it('an unknown task id → 404, on GET and on revoke (with or without a body)', async () => {
      const id = '3b241101-e2bb-4255-8caf-4136c566a962';
      expectClientError(await system.request('GET', `/tasks/${id}`), 404, new RegExp(id));
      expectClientError(await system.request('POST', `/tasks/${id}/revoke`, {}), 404, new RegExp(id));
      expectClientError(await system.request('POST', `/tasks/${id}/revoke`), 404, new RegExp(id));
    });

    it('revoke refuses a bad terminate flag and unknown fields', async () => {
      const id = '3b241101-e2bb-4255-8caf-4136c566a962';
      const bad = await system.request('POST', `/tasks/${id}/revoke`, { terminate: 'yes' });
      expectClientError(bad, 400, /terminate/);
      const unknown = await system.request('POST', `/tasks/${id}/revoke`, { force: true });
      expectClientError(unknown, 400, /force/);
    });
  });

  describe('authentication', () => {
    it('no Authorization header → 401', async () => {
      const response = await system.fetch('/tasks/tasks.add', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ args: [1, 2] }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ statusCode: 401 });
    });

    it('a wrong key → 401, whatever the route', async () => {
      const wrong = { authorization: 'Bearer test-key-2' };
      expect((await system.request('POST', '/tasks/tasks.add', { args: [1, 2] }, wrong)).status).toBe(401);
      expect(
        (await system.request('GET', '/tasks/3b241101-e2bb-4255-8caf-4136c566a962', undefined, wrong)).status,
      ).toBe(401);
      expect(
        (await system.request('GET', '/tasks/tasks.add', undefined, { authorization: API_KEY })).status,
      ).toBe(401);
      expect(
        (await system.request('GET', '/tasks/tasks.add', undefined, { authorization: `Basic ${API_KEY}` }))
          .status,
      ).toBe(401);
    });

    it('the right key is let through', async () => {
      expect((await system.submit('tasks.add', { args: [1, 2] })).status).toBe(202);
    });

    it('/health needs no key and reports Redis and the database up', async () => {
      const response = await system.fetch('/health');
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ok',
        info: { redis: { status: 'up' }, database: { status: 'up' } },
      });
    });
  });

  describe('OpenAPI', () => {
    it('/docs-json is a valid OpenAPI document listing every route', async () => {
      const response = await system.fetch('/docs-json', {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      expect(response.status).toBe(200);
      const document = JSON.parse(await response.text()) as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
      expect(document.openapi).toMatch(/^3\./);
      const routes: [string, string][] = [
        // one name for the segment that is a task's name (POST) or its id (GET): OpenAPI 3 wants one path
        ['/tasks/{task}', 'post'],
        ['/tasks/{task}', 'get'],
        ['/tasks/{task_id}/events', 'get'],
        ['/tasks/{task_id}/revoke', 'post'],
        ['/health', 'get'],
      ];
      for (const [path, method] of routes) {
        expect(Object.keys(document.paths)).toContain(path);
        expect(Object.keys(document.paths[path])).toContain(method);
      }
    });

    it('/docs serves the HTML UI', async () => {
      const response = await system.fetch('/docs', {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toMatch(/<html/i);
    });
  });
});
