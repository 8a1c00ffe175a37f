import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject, OperationObject, ParameterObject, RequestBodyObject } from '@nestjs/swagger';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { API_KEY, TestSystem } from '../utils/test-system.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer?: string }[];
}

/** `redocly lint` of a file with the repository's redocly.yaml, offline: no telemetry, no update check. */
function redoclyLint(file: string): { status: number | null; problems: LintProblem[]; output: string } {
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--format=json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: 'off',
        REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
        NO_COLOR: '1',
      },
    },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  const json = run.stdout.slice(run.stdout.indexOf('{'));
  const report = JSON.parse(json) as { problems: LintProblem[] };
  return { status: run.status, problems: report.problems, output };
}

const operationsOf = (document: OpenAPIObject): [string, OperationObject][] =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, value]) => typeof value === 'object' && value !== null && 'responses' in value)
      .map(([method, operation]): [string, OperationObject] => [
        `${method.toUpperCase()} ${path}`,
        operation as OperationObject,
      ]),
  );

describe('the OpenAPI document (/docs-json)', () => {
  let system: TestSystem;
  let document: OpenAPIObject;

  beforeAll(async () => {
    system = await TestSystem.start();
    document = (await system.openApi()).document;
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('is public, as /health is: /docs and /docs-json need no key, other routes do', async () => {
    const json = await system.fetch('/docs-json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await json.json()) as OpenAPIObject).openapi).toMatch(/^3\.0\./);
    const ui = await system.fetch('/docs');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);
    expect((await system.fetch('/workers')).status).toBe(401);
    expect((await system.fetch('/workers', { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(
      200,
    );
  });

  it('passes `redocly lint` (recommended rules, see redocly.yaml) with no error', () => {
    const file = join(system.dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const { status, problems, output } = redoclyLint(file);
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`)).toEqual([]);
    expect(`${status}\n${output}`).toMatch(/^0\n/);
  });

  it('names the /tasks/{…} segment once, and describes it per operation', () => {
    expect(Object.keys(document.paths).filter((p) => /^\/tasks\/\{[^}]+\}$/.test(p))).toEqual([
      '/tasks/{task}',
    ]);
    const item = document.paths['/tasks/{task}'];
    const param = (op: OperationObject | undefined): ParameterObject =>
      (op?.parameters ?? []).find((p) => 'in' in p && p.in === 'path') as ParameterObject;
    expect(param(item.post)).toMatchObject({ name: 'task', example: 'tasks.add' });
    expect(param(item.get)).toMatchObject({ name: 'task', schema: { format: 'uuid' } });
    expect(param(item.post).description).not.toEqual(param(item.get).description);
  });

  it('gives every path parameter and required query parameter an example (Dredd builds requests from them)', () => {
    const missing = operationsOf(document).flatMap(([operation, op]) =>
      (op.parameters ?? [])
        .filter((p): p is ParameterObject => 'in' in p && (p.in === 'path' || p.required === true))
        .filter((p) => p.example === undefined)
        .map((p) => `${operation} ${p.in} ${p.name}`),
    );
    expect(missing).toEqual([]);
  });

  it('declares 401 with the error body on every operation that needs a key, and none on public ones', () => {
    for (const [operation, op] of operationsOf(document)) {
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      expect(`${operation}: ${isPublic ? 'public' : JSON.stringify(op.responses['401'] ?? null)}`).toMatch(
        isPublic ? /: public$/ : /ErrorResponseDto/,
      );
    }
    expect(document.paths['/health'].get?.security).toEqual([]);
  });

  it('marks no body required where none is needed, and describes both forms of POST /documents', () => {
    const body = (op: OperationObject | undefined): RequestBodyObject => op?.requestBody as RequestBodyObject;
    expect(body(document.paths['/tasks/{task}'].post).required).toBe(false);
    expect(body(document.paths['/tasks/{task_id}/revoke'].post).required).toBe(false);
    expect(body(document.paths['/documents'].post).content).toEqual({
      'multipart/form-data': { schema: { $ref: '#/components/schemas/UploadDocumentDto' } },
      'application/json': { schema: { $ref: '#/components/schemas/DocumentFromUrlDto' } },
    });
  });

  describe('the response validator the end-to-end tests use', () => {
    const id = '3b241101-e2bb-4255-8caf-4136c566a962';
    const success = (result: unknown): string =>
      JSON.stringify({
        task_id: id,
        state: 'SUCCESS',
        status: 'Task completed!',
        name: 'tasks.add',
        queue: 'default',
        retries: 0,
        result,
      });

    it('accepts any JSON value as a result', async () => {
      const contract = await system.openApi();
      for (const result of [8, 'x', [1, 'a'], { status: 'completed', result: 3 }, null, true]) {
        expect(() =>
          contract.check('GET', `/tasks/${id}`, {
            status: 200,
            contentType: 'application/json; charset=utf-8',
            body: success(result),
          }),
        ).not.toThrow();
      }
    });

    it('refuses a body against its schema, a status or media type not declared, an unknown operation', async () => {
      const contract = await system.openApi();
      const json = 'application/json; charset=utf-8';
      expect(() =>
        contract.check('GET', `/tasks/${id}`, {
          status: 200,
          contentType: json,
          body: '{"state":"SUCCESS"}',
        }),
      ).toThrow(/GET \/tasks\/\{task\} \(TasksController_status\) answered 200.*must have required property/);
      expect(() =>
        contract.check('GET', `/tasks/${id}`, { status: 418, contentType: json, body: '{}' }),
      ).toThrow(/answered 418, a status the document does not declare/);
      expect(() =>
        contract.check('GET', `/tasks/${id}`, { status: 200, contentType: 'text/plain', body: success(1) }),
      ).toThrow(/as "text\/plain"/);
      expect(() =>
        contract.check('DELETE', `/documents/${id}`, { status: 204, contentType: json, body: '{"x":1}' }),
      ).toThrow(/with a body, where the document declares none/);
      expect(() => contract.check('PUT', '/tasks', { status: 200, contentType: json, body: '{}' })).toThrow(
        /no operation PUT \/tasks/,
      );
    });
  });
});
