import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentEmbeddingError, TemporaryEmbeddingError } from './embedding-provider.js';
import { OpenAiEmbeddingProvider } from './openai.provider.js';

type Behaviour = (
  body: { model: string; input: string[] },
  res: ServerResponse,
  req: IncomingMessage,
) => void;

/** A small OpenAI-compatible `/v1/embeddings` server on loopback whose behaviour each test sets. */
describe(OpenAiEmbeddingProvider.name, () => {
  let server: Server;
  let baseUrl: string;
  let behaviour: Behaviour;
  let requests: { model: string; input: string[]; auth?: string }[];

  /** A deterministic 3-dimensional "embedding" of a text. */
  const vectorOf = (text: string): number[] => [text.length, 1, text.charCodeAt(0) % 7];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (part: Buffer) => (raw += part.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
          res.writeHead(404).end();
          return;
        }
        const body = JSON.parse(raw) as { model: string; input: string[] };
        requests.push({ ...body, auth: req.headers.authorization });
        behaviour(body, res, req);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  beforeEach(() => {
    requests = [];
    behaviour = (body, res) => {
      // answer out of order, as the API allows: the provider must place vectors by `index`
      const data = body.input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: vectorOf(text),
      }));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: data.reverse() }));
    };
  });

  const provider = (overrides: Partial<ConstructorParameters<typeof OpenAiEmbeddingProvider>[0]> = {}) =>
    new OpenAiEmbeddingProvider({
      apiUrl: baseUrl,
      apiKey: 'sk-test',
      model: 'test-embed',
      batchSize: 2,
      timeoutMs: 2000,
      retries: 1,
      ...overrides,
    });

  it('sends batches with the model and key, and returns unit vectors in input order', async () => {
    const sut = provider();
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    const vectors = await sut.embed(texts, 'document');
    expect(requests.map((r) => r.input)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(requests.every((r) => r.model === 'test-embed' && r.auth === 'Bearer sk-test')).toBe(true);
    vectors.forEach((v, i) => {
      const raw = vectorOf(texts[i]);
      const n = Math.hypot(...raw);
      expect([...v].map((x) => Math.round(x * 1e5))).toEqual(raw.map((x) => Math.round((x / n) * 1e5)));
    });
    expect(sut.id).toBe(`openai:test-embed@${new URL(baseUrl).host}`);
  });

  it('retries a 429 or 5xx briefly and then succeeds', async () => {
    let calls = 0;
    const normal = behaviour;
    behaviour = (body, res, req) => {
      calls++;
      if (calls === 1) res.writeHead(503).end('busy');
      else normal(body, res, req);
    };
    await expect(provider().embed(['x'], 'query')).resolves.toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('reports a server that keeps failing as a temporary error', async () => {
    behaviour = (_body, res) => void res.writeHead(429).end('slow down');
    await expect(provider().embed(['x'], 'query')).rejects.toThrow(TemporaryEmbeddingError);
  });

  it('reports a timeout as a temporary error', async () => {
    behaviour = () => undefined; // never answers
    const error = await provider({ timeoutMs: 200, retries: 0 })
      .embed(['x'], 'query')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporaryEmbeddingError);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
  });

  it('reports a refused connection as a temporary error', async () => {
    const closed = new OpenAiEmbeddingProvider({
      apiUrl: 'http://127.0.0.1:9/v1',
      model: 'm',
      batchSize: 8,
      timeoutMs: 1000,
      retries: 0,
    });
    await expect(closed.embed(['x'], 'query')).rejects.toThrow(TemporaryEmbeddingError);
  });

  it('reports 4xx and malformed answers as permanent errors, without retrying', async () => {
    behaviour = (_body, res) => void res.writeHead(401).end('{"error":"bad key"}');
    await expect(provider().embed(['x'], 'query')).rejects.toThrow(PermanentEmbeddingError);
    expect(requests).toHaveLength(1);
    behaviour = (_body, res) => void res.writeHead(200).end('{"data":[{"index":0,"embedding":"nope"}]}');
    await expect(provider().embed(['x'], 'query')).rejects.toThrow(/malformed vector/);
    behaviour = (_body, res) => void res.writeHead(200).end('{"data":[]}');
    await expect(provider().embed(['x'], 'query')).rejects.toThrow(/0 vectors for 1 texts/);
  });
});
