/**
 * `npm run bench:document`: one large document, uploaded and vectorized end to end under the default settings
 * (`EMBEDDING_PROVIDER` semantic, `VECTORIZE_BATCH_CHUNKS` 200, soft/hard limits 300/360 s, default worker
 * concurrency and thread pool), once per worker count. Each run gets a fresh SQLite file, a fresh API and its
 * workers (`codehubot worker`, default flags) on one private Redis. Printed as Markdown.
 *
 *   node dist/bench/large-document.js [--chunks 5000] [--workers 1,2] [--provider semantic] [--verbose]
 *
 * Timed: upload answered → the document reads `completed` (extract, chunking, staging, every batch, the save).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { chunkText } from '../libs/documents/src/chunking/chunker.js';
import { freePort } from '../test/utils/free-port.js';
import { TestRedis } from '../test/utils/redis-server.js';
import { currentLoad, describeMachine } from './machine.js';
import { BenchProcess, ROOT_DIR } from './node-process.js';

const KEY = 'bench';

/** Course-like sentences, English and Chinese, varied by a number so that no two chunks are equal. */
const SENTENCES = [
  (i: number) => `In lesson ${i} the class measures the current through a resistor with an ammeter.`,
  (i: number) => `第${i}课：水蒸气上升后遇冷凝结成小水滴，形成云。`,
  (i: number) => `Exercise ${i} asks why a binary search halves the range at every step.`,
  (i: number) => `第${i}节讲光合作用：植物利用叶绿素把阳光、水和二氧化碳变成糖。`,
  (i: number) => `Note ${i}: the caravans carried silk, tea and porcelain along the Silk Road.`,
  (i: number) => `练习${i}：用二分查找在有序数组中找到目标值，并说明时间复杂度。`,
  (i: number) => `Question ${i} compares the speed of sound in air, water and steel.`,
  (i: number) => `第${i}题：地震时地壳快速释放能量，地震仪记录下震动。`,
];

/** A text that the default chunker (500 / 80) cuts into about `chunks` chunks. */
function documentOf(chunks: number): { text: string; chunks: number } {
  const parts: string[] = [];
  let i = 0;
  // about 6–7 sentences per 500-character chunk, less the overlap; grown until the count is reached
  while (parts.length < chunks * 6) parts.push(SENTENCES[i % SENTENCES.length](i++));
  let text = parts.join(' ');
  let count = chunkText(text, { size: 500, overlap: 80 }).length;
  while (count < chunks) {
    for (let k = 0; k < 200; k++) parts.push(SENTENCES[i % SENTENCES.length](i++));
    text = parts.join(' ');
    count = chunkText(text, { size: 500, overlap: 80 }).length;
  }
  return { text, chunks: count };
}

interface Run {
  workers: number;
  chunks: number;
  seconds: number;
  state: string;
  error: string | null;
  batches: number;
  workerCpuSeconds: number;
}

async function api<T>(port: number, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${KEY}`, ...(init.headers ?? {}) },
  });
  const body = (await response.json()) as T;
  if (response.status >= 400) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** The vectorization's state and progress (members done / total of its chord), for the log. */
async function progressOf(port: number, chainId: string): Promise<string> {
  try {
    const chain = await api<{ members?: { task_id: string }[] }>(port, `/tasks/${chainId}`);
    const id = chain.members?.[1]?.task_id;
    const status = await api<{ state: string; current?: number; total?: number }>(port, `/tasks/${id}`);
    return `${status.state} ${status.current ?? ''}/${status.total ?? ''}`;
  } catch {
    return 'extracting';
  }
}

async function runOnce(
  redisUrl: string,
  workers: number,
  text: string,
  provider: string,
  verbose: boolean,
): Promise<Run> {
  mkdirSync(resolve(ROOT_DIR, 'var'), { recursive: true });
  const dir = mkdtempSync(resolve(ROOT_DIR, 'var', 'bench-document-'));
  const port = await freePort();
  const env = {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `bench-doc-${randomUUID().slice(0, 8)}`,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    UPLOAD_DIR: join(dir, 'uploads'),
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    API_KEYS: KEY,
    EMBEDDING_PROVIDER: provider,
    LOG_FORMAT: 'json',
  };
  const processes: BenchProcess[] = [];
  try {
    const apiProcess = new BenchProcess('apps/api/main.js', [], { ...env, PORT: String(port) });
    processes.push(apiProcess);
    await apiProcess.waitForOutput(/listening on/, 120_000);
    const workerProcesses = Array.from(
      { length: workers },
      () => new BenchProcess('apps/worker/main.js', ['worker'], env),
    );
    processes.push(...workerProcesses);
    for (const worker of workerProcesses) await worker.waitForOutput(/consuming \[/, 120_000);
    const cpuBefore = workerProcesses.reduce((sum, w) => sum + w.cpuMicros(), 0);

    const form = new FormData();
    form.append('file', new Blob([Buffer.from(text)]), 'textbook.txt');
    const started = performance.now();
    const accepted = await api<{ id: string; task_id: string }>(port, '/documents', {
      method: 'POST',
      body: form,
    });
    let document: { embedding_status: string; chunk_count: number; error: string | null };
    let lastLog = 0;
    for (;;) {
      document = await api(port, `/documents/${accepted.id}`);
      if (['completed', 'failed'].includes(document.embedding_status)) break;
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        console.error(`  ${workers} worker(s), ${seconds} s: ${await progressOf(port, accepted.task_id)}`);
      }
      await sleep(250);
    }
    const seconds = (performance.now() - started) / 1000;
    const workerCpuSeconds =
      (workerProcesses.reduce((sum, w) => sum + w.cpuMicros(), 0) - cpuBefore) / 1_000_000;
    const chain = await api<{ members?: { task_id: string }[] }>(port, `/tasks/${accepted.task_id}`);
    const vectorize = await api<{ total?: number; replaced_by?: string }>(
      port,
      `/tasks/${chain.members?.[1]?.task_id ?? ''}`,
    );
    const chord = vectorize.replaced_by
      ? await api<{ total: number }>(port, `/tasks/${vectorize.replaced_by}`)
      : undefined;
    return {
      workers,
      chunks: document.chunk_count,
      seconds,
      state: document.embedding_status,
      error: document.error,
      batches: chord ? chord.total - 1 : 0,
      workerCpuSeconds,
    };
  } finally {
    if (verbose) for (const process of processes) console.error(process.output);
    for (const process of processes.reverse()) await process.stop('SIGTERM', 90_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      chunks: { type: 'string', default: '5000' },
      workers: { type: 'string', default: '1,2' },
      provider: { type: 'string', default: 'semantic' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const { text, chunks } = documentOf(Number(values.chunks));
  const counts = values.workers.split(',').map(Number);
  const server = await TestRedis.start();
  const redis = server.client();
  try {
    const machine = await describeMachine(redis);
    console.error(
      `document: ${chunks} chunks, ${text.length} characters (${Buffer.byteLength(text)} bytes); provider ${values.provider}`,
    );
    const runs: Run[] = [];
    for (const workers of counts) {
      console.error(`run: ${workers} worker process(es), load ${currentLoad().toFixed(2)}`);
      runs.push(await runOnce(server.url, workers, text, values.provider, values.verbose));
      console.error(`  done: ${JSON.stringify(runs.at(-1))}`);
    }
    console.log(
      `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
        `Redis ${machine.redis}; load ${machine.loadAtStart.toFixed(2)} at start, ${currentLoad().toFixed(2)} at end.`,
    );
    console.log(
      `Document: ${chunks} chunks (${text.length.toLocaleString('en')} characters), provider \`${values.provider}\`.\n`,
    );
    console.log('| worker processes | chunks | batches | upload → completed | worker CPU | outcome |');
    console.log('| ---: | ---: | ---: | ---: | ---: | --- |');
    for (const run of runs) {
      console.log(
        `| ${run.workers} | ${run.chunks} | ${run.batches} | ${run.seconds.toFixed(1)} s | ${run.workerCpuSeconds.toFixed(0)} s | ${run.state}${run.error ? `: ${run.error}` : ''} |`,
      );
    }
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

await main();
