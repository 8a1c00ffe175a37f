import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fuzzRequests, type OpenApiDocument } from '../utils/fuzz/openapi-requests.js';
import { SeededRandom } from '../utils/fuzz/seeded-random.js';
import { sendRequests, type FuzzAnswer } from '../utils/fuzz/send-requests.js';
import { API_KEY, TestSystem } from '../utils/test-system.js';

/** Same seed, same requests: a failure is reproduced by running the file again (FUZZ_SEED tries others). */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_109);

const describeAnswer = (a: FuzzAnswer): string =>
  `${a.request.operation} [${a.request.label}] → ${a.status || 'no answer'} ${a.text.slice(0, 300)}`;

/**
 * Fuzzing from the API's own OpenAPI document: every operation gets a bounded, seeded set of malformed
 * requests (wrong types, null, huge numbers, naughty strings, deep nesting, bad ids in paths, bad content types,
 * malformed multipart), on loopback. Any 5xx, or a request left unanswered, fails the test with the list.
 */
describe('REST API fuzzed from /docs-json', () => {
  let system: TestSystem;
  let document: OpenApiDocument;
  let answers: FuzzAnswer[];

  beforeAll(async () => {
    system = await TestSystem.start();
    document = (await system.request('GET', '/docs-json')).body as OpenApiDocument;
    const requests = fuzzRequests(document, {
      random: new SeededRandom(SEED),
      // valid inputs the mutations start from, so that they get past the first check
      baselines: {
        pathParams: { '/tasks/{name}': { name: 'tasks.add' }, '/queues/{name}': { name: 'default' } },
        bodies: { 'POST /tasks/{name}': { args: [1, 2] } },
      },
      maxPerOperation: 120,
      naughtyPerField: 8,
    });
    answers = await sendRequests(system.baseUrl, requests, {
      concurrency: 6,
      timeoutMs: 10_000,
      headers: { authorization: `Bearer ${API_KEY}` },
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('sent malformed requests to every operation of the document', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.length).toBeGreaterThan(10);
    const fuzzed = new Set(answers.map((a) => a.request.operation));
    expect(operations.filter((operation) => !fuzzed.has(operation))).toEqual([]);
    for (const operation of operations) {
      expect(answers.filter((a) => a.request.operation === operation).length).toBeGreaterThanOrEqual(10);
    }
  });

  it('answered every one, never with a 5xx', () => {
    const failures = answers.filter((a) => a.status === 0 || a.status >= 500).map(describeAnswer);
    expect(failures).toEqual([]);
  });

  it('answered the malformed ones with a 4xx that says why', () => {
    const unexplained = answers
      .filter((a) => a.status >= 400 && a.status < 500)
      .filter((a) => {
        try {
          const body = JSON.parse(a.text) as { message?: unknown };
          return typeof body.message !== 'string' && !Array.isArray(body.message);
        } catch {
          return true;
        }
      })
      .map(describeAnswer);
    expect(unexplained).toEqual([]);
  });

  it('is still up, and logged no internal error', async () => {
    expect((await system.request('GET', '/health')).status).toBe(200);
    expect(system.api?.running).toBe(true);
    expect(system.api?.text ?? '').not.toMatch(/ERROR \[ApiError\]/);
  });
});
