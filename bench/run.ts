/**
 * `npm run bench`: the same no-op tasks through our system and through plain BullMQ, on one private Redis,
 * repeated and summarised (medians, ours/plain ratios) on the terminal and in docs/BENCHMARKS.md.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { TestRedis } from '../test/utils/redis-server.js';
import { currentLoad, describeMachine } from './machine.js';
import { ROOT_DIR } from './node-process.js';
import { parseOptions, type BenchOptions, type Scenario } from './options.js';
import { writeMarkdown } from './markdown-file.js';
import { markdownReport, textTable } from './report.js';
import { summarize, summarizeSizes, type Results, type RunResult } from './results.js';
import { measureEnqueue } from './scenarios/enqueue.js';
import { measureLatency } from './scenarios/latency.js';
import { measureProcessing } from './scenarios/processing.js';
import { measureRest } from './scenarios/rest.js';
import { measureWorkflows } from './scenarios/workflows.js';
import { ours } from './systems/ours.js';
import { plain } from './systems/plain.js';
import type { BenchEnv, SystemUnderTest } from './systems/system.js';

const log = (message: string): void => void process.stderr.write(`${message}\n`);
const round = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '–');

async function runScenario(
  scenario: Scenario,
  system: SystemUnderTest,
  env: BenchEnv,
  o: BenchOptions,
  result: RunResult,
): Promise<string> {
  switch (scenario) {
    case 'enqueue': {
      const r = (result.enqueue = await measureEnqueue(system, env, o.enqueueTasks, o.inFlight));
      return `enqueue ${round(r.sequential)}/s sequential, ${round(r.concurrent)}/s with ${o.inFlight} in flight (${round(r.cpuMicrosPerTask)} µs CPU/task)`;
    }
    case 'processing': {
      const r = (result.processing = await measureProcessing(
        system,
        env,
        o.tasks,
        o.concurrency,
        o.inFlight,
      ));
      return `processing ${round(r.tasksPerSec)} tasks/s, ${round(r.cpuMicrosPerTask)} µs CPU/task`;
    }
    case 'processing-off': {
      const off: BenchEnv = { ...env, observability: 'off' };
      const r = (result.processingOff = await measureProcessing(
        system,
        off,
        o.tasks,
        o.concurrency,
        o.inFlight,
      ));
      return `processing (observability off) ${round(r.tasksPerSec)} tasks/s, ${round(r.cpuMicrosPerTask)} µs CPU/task`;
    }
    case 'latency': {
      const r = (result.latency = await measureLatency(system, env, {
        rate: o.rate,
        seconds: o.latencySeconds,
        warmupSeconds: o.warmupSeconds,
        concurrency: o.concurrency,
      }));
      return `latency at ${round(r.offered)}/s: start p50/p90/p99 ${r.start.p50}/${r.start.p90}/${r.start.p99} ms, done p99 ${r.done.p99} ms`;
    }
    case 'rest': {
      const r = (result.rest = await measureRest(system, env, {
        connections: o.connections,
        seconds: o.restSeconds,
        warmupSeconds: o.warmupSeconds,
      }));
      return `REST ${round(r.reqPerSec)} req/s, p99 ${r.p99Ms} ms, ${round(r.cpuMicrosPerRequest)} µs API CPU/request, ${r.failures} failures`;
    }
    case 'workflows': {
      const r = (result.workflows = await measureWorkflows(system, env, o.groupTasks, o.concurrency));
      const sizes = (r.sizes ?? []).map((s) => `${s.shape} ${s.workflowBytes} B`).join(', ');
      return (
        `${r.tasks} at once: ${r.totalMs} ms to the end (submit ${r.submitMs} ms), ${round(r.memoryBytesPerTask)} B/task, ` +
        `longest command ${r.longest.command} ${r.longest.micros} µs${sizes ? `; workflow hashes: ${sizes}` : ''}`
      );
    }
  }
}

/**
 * One measurement of one scenario for one system, under a key prefix of its own; Redis is flushed after it.
 * The result goes into `result`.
 */
async function measureOnce(
  scenario: Scenario,
  system: SystemUnderTest,
  rep: number,
  o: BenchOptions,
  redis: { url: string; client: Redis },
  dir: string,
  result: RunResult,
): Promise<void> {
  const name = `${system.key}-${rep}-${scenario}`;
  const env: BenchEnv = {
    redisUrl: redis.url,
    prefix: `bench-${name}`,
    dir: join(dir, name),
    nodeArgs: o.nodeArgs,
  };
  mkdirSync(env.dir, { recursive: true });
  const line = await runScenario(scenario, system, env, o, result);
  log(`  [run ${rep}/${o.repetitions}] ${system.key.padEnd(5)} ${line}`);
  await redis.client.flushall();
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = Date.now();
  const redisServer = await TestRedis.start();
  const redis = redisServer.client();
  mkdirSync(resolve(ROOT_DIR, 'var'), { recursive: true });
  const dir = mkdtempSync(resolve(ROOT_DIR, 'var', 'bench-'));
  try {
    const machine = await describeMachine(redis);
    log(
      `bench: ${options.repetitions} run(s) of ${options.scenarios.join(', ')}; redis ${machine.redis} on ${redisServer.url}; ` +
        `${machine.cpus} CPUs, load ${machine.loadAtStart.toFixed(2)}`,
    );
    const results: Results = { ours: [], plain: [] };
    for (let rep = 0; rep < options.repetitions; rep++) {
      results.ours.push({});
      results.plain.push({});
    }
    // the two systems' runs of a scenario follow each other, alternating which goes first, so that a change in
    // the machine's load (other work on it) weighs on both alike
    const target = { url: redisServer.url, client: redis };
    for (const scenario of options.scenarios) {
      for (let rep = 1; rep <= options.repetitions; rep++) {
        for (const system of rep % 2 ? [plain, ours] : [ours, plain]) {
          await measureOnce(scenario, system, rep, options, target, dir, results[system.key][rep - 1]);
        }
      }
    }
    machine.loadAtEnd = currentLoad();
    const rows = summarize(results, options);
    const sizes = summarizeSizes(results.ours);
    process.stdout.write(`\n${textTable(rows, sizes)}\n`);
    if (options.out) {
      const argv = process.argv.slice(2).join(' ');
      const markdown = markdownReport({
        rows,
        sizes,
        machine,
        options,
        command: `npm run bench${argv ? ` -- ${argv}` : ''}`,
        date: new Date(),
        minutes: (Date.now() - startedAt) / 60_000,
      });
      await writeMarkdown(options.out, markdown);
      log(`\nwritten to ${options.out}`);
    }
  } finally {
    redis.disconnect();
    await redisServer.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
