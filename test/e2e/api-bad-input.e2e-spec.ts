import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectClientError, messageOf } from '../utils/client-error.js';
import { rawExchange } from '../utils/raw-http.js';
import { API_KEY, TestSystem, type HttpAnswer } from '../utils/test-system.js';

type Submitted = { task_id: string; state: string };

/** A well-formed UUID that names nothing. */
const UNKNOWN_ID = '3b241101-e2bb-4255-8caf-4136c566a962';

/** `depth` arrays, one inside the other, as JSON text. */
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** The answer with what differs between two requests for the same thing left out. */
const shape = (answer: HttpAnswer): { status: number; body: unknown } => ({
  status: answer.status,
  body: answer.body,
});

/**
 * Input the fuzzing of issue 9 answered with a 500 (or never answered): each case is now a 4xx naming the field
 * or the reason, or, where the input is meaningful, an ordinary answer. No worker: nothing here needs to run.
 */
describe('REST API: bad input found by fuzzing gets a 4xx, never a 500', () => {
  let system: TestSystem;

  beforeAll(async () => {
    // short enough to see a stalled request closed within the test, long enough for every ordinary one here
    system = await TestSystem.start({ env: { REQUEST_TIMEOUT: '2' } });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  describe('a JSON body that is literally null is no body', () => {
    it('POST /tasks/{name}: the same 400 as no body, naming the missing arguments', async () => {
      const none = await system.request('POST', '/tasks/tasks.add');
      const nullBody = await system.request('POST', '/tasks/tasks.add', 'null');
      expectClientError(nullBody, 400, /\bx\b.*\by\b/);
      expect(shape(nullBody)).toEqual(shape(none));
    });

    it('POST /tasks/{id}/revoke: revokes as without a body (404 for an unknown id)', async () => {
      expectClientError(await system.request('POST', `/tasks/${UNKNOWN_ID}/revoke`, 'null'), 404, /No task/);
      const { body } = await system.submit('tasks.add', { args: [1, 2], countdown: 600 });
      const revoked = await system.request('POST', `/tasks/${(body as Submitted).task_id}/revoke`, 'null');
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ state: 'REVOKED' });
    });

    it('POST /documents: the 400 of a request with neither a file nor a url', async () => {
      const answer = await system.request('POST', '/documents', 'null');
      expectClientError(answer, 400, /file/);
      expect(shape(answer)).toEqual(shape(await system.request('POST', '/documents', {})));
    });
  });

  describe('an optional field sent as null is a field not given', () => {
    it('args, kwargs, idempotency_key and the other options: accepted as if left out', async () => {
      const cases: Record<string, unknown>[] = [
        { args: null, kwargs: { x: 1, y: 2 } },
        { args: [1, 2], kwargs: null },
        ...['idempotency_key', 'countdown', 'eta', 'expires', 'priority', 'queue'].map((option) => ({
          args: [1, 2],
          [option]: null,
        })),
      ];
      for (const body of cases) {
        const answer = await system.submit('tasks.add', body);
        expect({ body, status: answer.status }).toEqual({ body, status: 202 });
        const status = await system.status(answer.body.task_id);
        expect(status.body).toMatchObject({ state: 'PENDING', name: 'tasks.add', queue: 'default' });
      }
    });

    it('idempotency_key: null is no key, so two submissions are two tasks', async () => {
      const first = await system.submit('tasks.add', { args: [1, 2], idempotency_key: null });
      const second = await system.submit('tasks.add', { args: [1, 2], idempotency_key: null });
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(first.body.task_id).not.toBe(second.body.task_id);
    });

    it('revoke {terminate: null} is a plain revoke', async () => {
      const { body } = await system.submit('tasks.add', { args: [1, 2], countdown: 600 });
      const revoked = await system.request('POST', `/tasks/${body.task_id}/revoke`, { terminate: null });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ state: 'REVOKED' });
    });

    it('POST /documents {url: null} is no url; {url, title: null} takes the title from the url', async () => {
      expectClientError(await system.request('POST', '/documents', { url: null }), 400, /file/);
      const accepted = await system.request<{ id: string }>('POST', '/documents', {
        url: 'http://127.0.0.1:9/lesson.txt',
        title: null,
      });
      expect(accepted.status).toBe(202);
      const document = await system.request('GET', `/documents/${accepted.body.id}`);
      expect(document.body).toMatchObject({
        title: 'lesson.txt',
        source_url: 'http://127.0.0.1:9/lesson.txt',
      });
    });

    it('a required field sent as null is refused by name, as if missing', async () => {
      expectClientError(await system.submit('tasks.add', { kwargs: { x: null, y: 2 } }), 400, /\bx\b/);
    });
  });

  describe('priority', () => {
    it('2 097 152 (past BullMQ’s maximum) → 400 naming priority and the real bound', async () => {
      const answer = await system.submit('tasks.add', { args: [1, 2], priority: 2_097_152 });
      expectClientError(answer, 400, /priority/);
      expect(messageOf(answer)).toMatch(/2097151/);
    });

    it('2 097 151, the last priority, is accepted', async () => {
      expect((await system.submit('tasks.add', { args: [1, 2], priority: 2_097_151 })).status).toBe(202);
    });
  });

  describe('a lone surrogate (not Unicode text) → 400 naming the field', () => {
    it('in an e-mail address, positional or by name', async () => {
      const positional = await system.submit('tasks.email.send_email', {
        args: ['a\ud800@example.org', 's', 'b'],
      });
      expectClientError(positional, 400, /args\[0\].*lone surrogate/);
      const named = await system.submit('tasks.email.send_email', {
        kwargs: { to: 'a@example.org\udfff', subject: 's', body: 'b' },
      });
      expectClientError(named, 400, /kwargs\.to.*lone surrogate/);
    });

    it('in a url, an option or a key', async () => {
      expectClientError(
        await system.request('POST', '/documents', { url: 'http://a\ud800.example.org/x' }),
        400,
        /url.*lone surrogate/,
      );
      expectClientError(
        await system.submit('tasks.add', { args: [1, 2], idempotency_key: 'k\ud800' }),
        400,
        /idempotency_key.*lone surrogate/,
      );
      expectClientError(
        await system.submit('tasks.process_data', { kwargs: { data: { 'k\ud800': 1 } } }),
        400,
        /kwargs\.data.*lone surrogate/,
      );
    });

    it('a surrogate pair (an emoji, escaped) is ordinary text', async () => {
      const answer = await system.request(
        'POST',
        '/tasks/tasks.email.send_email',
        '{"args": ["a@example.org", "\\ud83d\\ude00", "b"]}',
      );
      expect(answer.status).toBe(202);
    });
  });

  describe('deeply nested JSON → 400 naming where, never a stack overflow', () => {
    it('5,000 levels (30 KB) and 200,000 levels in kwargs', async () => {
      for (const depth of [5_000, 200_000]) {
        const answer = await system.request(
          'POST',
          '/tasks/tasks.process_data',
          `{"kwargs": {"data": {"list": ${nested(depth)}}}}`,
        );
        expectClientError(answer, 400, /kwargs\.data\.list\[0\].*nested deeper than 100 levels/);
      }
    });

    it('in any field of any body', async () => {
      const revoke = await system.request(
        'POST',
        `/tasks/${UNKNOWN_ID}/revoke`,
        `{"terminate": ${nested(5_000)}}`,
      );
      expectClientError(revoke, 400, /terminate.*nested deeper/);
      const document = await system.request('POST', '/documents', `{"url": ${nested(5_000)}}`);
      expectClientError(document, 400, /url.*nested deeper/);
    });

    it('ordinary nesting (50 levels) is accepted', async () => {
      const answer = await system.request(
        'POST',
        '/tasks/tasks.process_data',
        `{"kwargs": {"data": {"list": ${nested(50)}}}}`,
      );
      expect(answer.status).toBe(202);
    });
  });

  describe('malformed multipart on POST /documents → 400 naming why', () => {
    const part = (boundary: string, content: string): string =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\n${content}`;
    const cases: [string, string, string | Buffer, RegExp][] = [
      ['no boundary', 'multipart/form-data', 'hello', /multipart.*boundary/i],
      ['an empty boundary', 'multipart/form-data; boundary=', part('', 'hello'), /multipart/i],
      ['a body cut short', 'multipart/form-data; boundary=b0', part('b0', 'hello'), /multipart/i],
      [
        'no closing delimiter',
        'multipart/form-data; boundary=b1',
        `${part('b1', 'hello')}\r\n`,
        /multipart/i,
      ],
      [
        'garbage bytes',
        'multipart/form-data; boundary=b2',
        Buffer.from([0, 255, 254, 13, 10, 45, 45]),
        /file|multipart/i,
      ],
      [
        'a JSON body',
        'multipart/form-data; boundary=b3',
        '{"url": "http://127.0.0.1:9/x.txt"}',
        /file|multipart/i,
      ],
    ];
    for (const [what, contentType, body, reason] of cases) {
      it(what, async () => {
        const answer = await system.request('POST', '/documents', body, { 'content-type': contentType });
        expectClientError(answer, 400, reason);
      });
    }

    it('a well-formed upload still works', async () => {
      const answer = await system.request(
        'POST',
        '/documents',
        `${part('b4', 'Photosynthesis turns light into sugar.')}\r\n--b4--\r\n`,
        { 'content-type': 'multipart/form-data; boundary=b4' },
      );
      expect(answer.status).toBe(202);
    });
  });

  describe('a body that stops short of its Content-Length', () => {
    it('is answered 408 and its connection closed (REQUEST_TIMEOUT), not held open', async () => {
      const head =
        'POST /tasks/tasks.add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${API_KEY}\r\nContent-Length: 100\r\n\r\n`;
      // a generous bound: the point is that the server ends it, not how fast
      const exchange = await rawExchange(system.apiPort, `${head}{"args": [1,`, 30_000);
      expect(exchange).toEqual({ response: expect.stringMatching(/^HTTP\/1\.1 408 /), closed: true });
    }, 40_000);

    it('left the API up and answering', async () => {
      expect((await system.submit('tasks.add', { args: [1, 2] })).status).toBe(202);
    });
  });

  /** The contract: an id in a path that names nothing is unknown, whatever its shape (never a 400). */
  describe('an id that is not a UUID gets the 404 of an unknown id', () => {
    let idRoutes: [string, string][];

    beforeAll(async () => {
      const document = (await system.request('GET', '/docs-json')).body as {
        paths: Record<
          string,
          Record<string, { parameters?: { in: string; schema?: { format?: string } }[] }>
        >;
      };
      // the operations whose path names something by its UUID
      idRoutes = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) =>
            (operation.parameters ?? []).some((p) => p.in === 'path' && p.schema?.format === 'uuid'),
          )
          .map(([method]): [string, string] => [method.toUpperCase(), path]),
      );
    });

    it('finds the id routes in the OpenAPI document', () => {
      expect(idRoutes.map(([method, path]) => `${method} ${path}`).sort()).toEqual([
        'DELETE /documents/{id}',
        'DELETE /tokens/{id}',
        'GET /documents/{id}',
        'GET /reports/{id}',
        'GET /tasks/{task_id}/events',
        'GET /tasks/{task}',
        'POST /documents/{id}/vectorize',
        'POST /tasks/{task_id}/revoke',
      ]);
    });

    it('answers a malformed id exactly as a well-formed unknown one, on every id route', async () => {
      const call = (method: string, path: string, id: string): Promise<HttpAnswer> =>
        system.request(
          method,
          path.replace(/\{[^}]+\}/, encodeURIComponent(id)),
          method === 'POST' ? {} : undefined,
        );
      for (const [method, path] of idRoutes) {
        const unknown = await call(method, path, UNKNOWN_ID);
        expectClientError(unknown, 404, new RegExp(UNKNOWN_ID));
        for (const malformed of ['12345', 'not-a-uuid', `${UNKNOWN_ID}x`, 'ünïcødé', "' OR 1=1 --", '%00']) {
          const answer = await call(method, path, malformed);
          const route = `${method} ${path} with ${malformed}`;
          expect({ route, ...shape(answer) }).toEqual({
            route,
            status: 404,
            body: JSON.parse(JSON.stringify(unknown.body).replaceAll(UNKNOWN_ID, malformed)) as unknown,
          });
        }
      }
    });
  });

  describe('afterwards', () => {
    it('the API logged no internal error for any of it', () => {
      expect(system.api?.text ?? '').not.toMatch(/ERROR \[ApiError\]/);
    });
  });
});
