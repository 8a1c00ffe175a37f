import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { search, upload, waitForDocument, type SearchHitBody } from '../utils/documents.js';
import { API_KEY, TestSystem } from '../utils/test-system.js';

const WATER_CYCLE_ZH =
  '水循环是地球上水不断运动的过程。太阳照射海洋和湖泊，使水蒸发成水蒸气进入大气。水蒸气上升后遇冷凝结成小水滴，形成云。' +
  '当云中的水滴越聚越大，就会以雨或雪的形式降落到地面。一部分降水渗入地下成为地下水，另一部分沿着河流重新流回大海。';
const OHM_EN =
  "Ohm's law describes the relationship between voltage, current and resistance in a circuit: the current " +
  'through a conductor equals the voltage across it divided by its resistance. A larger resistance gives a ' +
  'smaller current when the voltage stays the same.';
const SILK_ROAD_ZH =
  '丝绸之路是古代连接中国与西方的贸易通道。商队带着丝绸、茶叶和瓷器向西出发，又把葡萄、香料和玻璃带回中原，促进了东西方文化交流。';

describe('search with the default semantic provider (jieba + CC-CEDICT + USE lite)', () => {
  let system: TestSystem;
  let uploads: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'codehubot-uploads-'));
    system = await TestSystem.start({ env: { UPLOAD_DIR: uploads } });
    await system.startWorker(['--concurrency', '2']);
    for (const [name, text] of Object.entries({ water: WATER_CYCLE_ZH, ohm: OHM_EN, silk: SILK_ROAD_ZH })) {
      const answer = await upload(system, Buffer.from(text), `${name}.txt`);
      expect(answer.status).toBe(202);
      ids[name] = answer.body.id;
    }
    for (const id of Object.values(ids)) {
      const document = await waitForDocument(system, id, ['completed', 'failed'], 120_000);
      expect(document.embedding_status).toBe('completed');
      expect(document.embedding_model).toMatch(/^semantic-/);
    }
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(uploads, { recursive: true, force: true });
  });

  it('finds a Chinese passage from an English paraphrase, and the other way round', async () => {
    const rain = await search(system, 'how does rain form and where does the water go afterwards', 3);
    expect(rain.status).toBe(200);
    expect(rain.body[0].document_id).toBe(ids.water);
    const trade = await search(system, 'ancient merchants carrying silk and tea to the west', 3);
    expect(trade.body[0].document_id).toBe(ids.silk);
    const circuit = await search(system, '电路里电阻变大时电流会怎样变化', 3);
    expect(circuit.body[0].document_id).toBe(ids.ohm);
  }, 60_000);

  it('reports PROGRESS after each chunk while vectorizing, as live events', async () => {
    const long = Array.from({ length: 6 }, (_, i) => `${i}. ${WATER_CYCLE_ZH} ${OHM_EN}`).join('\n\n');
    const answer = await upload(system, Buffer.from(long), 'long.txt');
    await waitForDocument(system, answer.body.id, ['completed', 'failed'], 60_000);
    // the upload's id names its chain (extract → vectorize); a re-vectorization is one task, queued at once
    const queued = await system.request<{ task_id: string }>(
      'POST',
      `/documents/${answer.body.id}/vectorize`,
    );
    const response = await system.fetch(`/tasks/${queued.body.task_id}/events`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const states: { state: string; current?: number; total?: number; percent?: number }[] = [];
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const part of response.body as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(part, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('data:')) states.push(JSON.parse(line.slice(5)) as (typeof states)[number]);
      }
    }
    const document = await waitForDocument(system, answer.body.id);
    const progress = states.filter((s) => s.state === 'PROGRESS');
    expect(states.at(-1)?.state).toBe('SUCCESS');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.every((p) => p.total === document.chunk_count)).toBe(true);
    const currents = progress.map((p) => p.current ?? -1);
    expect([...currents].sort((a, b) => a - b)).toEqual(currents);
  }, 60_000);

  it('finds a Chinese passage from a Chinese paraphrase that shares few words', async () => {
    const answer = await search(system, '天上为什么会下雨，雨水最后去了哪里', 3);
    expect(answer.body[0].document_id).toBe(ids.water);
  });

  it('reranks by the glossed terms a hit shares with the query, except between two English texts', async () => {
    type Hit = SearchHitBody & { vector_score: number; term_score: number };
    const zh = (await search(system, '水蒸气遇冷变成云和雨', 20)).body as Hit[];
    const water = zh.find((h) => h.document_id === ids.water)!;
    expect(water.term_score).toBeGreaterThan(0);
    expect(water.score).toBeCloseTo(0.95 * water.vector_score + 0.05 * water.term_score, 3);
    const en = (await search(system, 'current through a resistance', 20)).body as Hit[];
    const ohm = en.find((h) => h.document_id === ids.ohm)!;
    expect(ohm.term_score).toBeGreaterThan(0);
    expect(ohm.score).toBe(ohm.vector_score);
  });
});

describe('search with an OpenAI-compatible embedding server', () => {
  let system: TestSystem;
  let uploads: string;
  let server: Server;
  let requests = 0;

  /** A toy embedding server: one dimension per keyword, so the expected ranking is obvious. */
  const KEYWORDS = ['rain', 'cloud', 'current', 'voltage', 'silk'];
  const embed = (text: string): number[] => [
    ...KEYWORDS.map((k) => (text.toLowerCase().includes(k) ? 1 : 0)),
    0.01,
  ];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (part: Buffer) => (raw += part.toString()));
      req.on('end', () => {
        requests++;
        const body = JSON.parse(raw) as { input: string[]; model: string };
        if (req.headers.authorization !== 'Bearer local-key' || body.model !== 'toy-embed') {
          res.writeHead(401).end('{"error":"unauthorized"}');
          return;
        }
        const data = body.input.map((text, index) => ({ index, embedding: embed(text) }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    uploads = mkdtempSync(join(tmpdir(), 'codehubot-uploads-'));
    system = await TestSystem.start({
      env: {
        UPLOAD_DIR: uploads,
        EMBEDDING_PROVIDER: 'openai',
        EMBEDDING_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        EMBEDDING_API_KEY: 'local-key',
        EMBEDDING_MODEL: 'toy-embed',
      },
    });
    await system.startWorker();
  });

  afterAll(async () => {
    await system?.stop();
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    rmSync(uploads, { recursive: true, force: true });
  });

  it('vectorizes through the server and ranks by its vectors', async () => {
    const rain = await upload(system, Buffer.from('Rain falls from a cloud.'), 'rain.txt');
    const ohm = await upload(system, Buffer.from('The current depends on the voltage.'), 'ohm.txt');
    for (const id of [rain.body.id, ohm.body.id]) {
      const document = await waitForDocument(system, id);
      expect([document.embedding_status, document.error]).toEqual(['completed', null]);
      expect(document.embedding_model).toMatch(/^openai:toy-embed@127\.0\.0\.1:/);
    }
    const hits = await search(system, 'voltage and current', 2);
    expect(hits.body.map((h) => h.document_id)).toEqual([ohm.body.id, rain.body.id]);
    expect(requests).toBeGreaterThanOrEqual(3);
  });
});
