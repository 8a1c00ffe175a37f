import type { MachineNotes } from './machine.js';
import type { BenchOptions } from './options.js';
import type { SummaryRow } from './results.js';

export interface ReportInput {
  rows: SummaryRow[];
  machine: MachineNotes;
  options: BenchOptions;
  command: string;
  date: Date;
  minutes: number;
}

const num = (value: number, digits: number): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';

const ratioText = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

const verdict = (row: SummaryRow): string =>
  row.metric.target ? `${row.metric.target.text}: ${row.met ? 'met' : 'MISSED'}` : '';

const cells = (row: SummaryRow): string[] => [
  `${row.metric.label} (${row.metric.unit})`,
  num(row.plain, row.metric.digits),
  num(row.ours, row.metric.digits),
  ratioText(row.ratio),
  verdict(row),
];

const HEADER = ['metric (median of runs)', 'plain BullMQ', 'ours', 'ours/plain', 'target'];

/** A plain-text table for the terminal, columns padded. */
export function textTable(rows: SummaryRow[]): string {
  const table = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join(
    '\n',
  );
}

const mdRow = (r: string[]): string => `| ${r.join(' | ')} |`;

function parameters(o: BenchOptions): string[] {
  return [
    `- processing: ${o.tasks} tasks pre-filled (${o.inFlight} in flight) into a paused queue, one worker process with concurrency ${o.concurrency} started and settled, then the queue resumed; time (worker start-up not counted) from the resume to the last \`finishedOn\`; results kept (ours: \`RESULT_EXPIRES\` 3600 s; plain: BullMQ's default, kept forever). Worker CPU is user + system time of the worker process over that span, from \`/proc/<pid>/stat\`.`,
    `- enqueue: one producer in the bench process adds ${o.enqueueTasks} tasks with sequential awaits, then ${o.enqueueTasks} with ${o.inFlight} promises in flight, no worker running (paused queue). Ours: \`TaskClient.submit(Add, {x, y})\`, validated; plain: \`Queue.add('add', {x, y})\`. Producer CPU is the bench process's CPU time over the concurrent run divided by the tasks added.`,
    `- latency: one running worker, ${o.rate} tasks/s offered open-loop for ${o.latencySeconds} s after a ${o.warmupSeconds} s warm-up (not counted). enqueue→start = job \`processedOn\` − the time just before the producer call; enqueue→done uses \`finishedOn\`. Millisecond clock.`,
    `- REST: autocannon, ${o.connections} connections, ${o.restSeconds} s after a ${o.warmupSeconds} s warm-up, no worker. Ours: \`POST /tasks/tasks.add\` \`{"args":[4,4]}\` with Bearer auth and validation on (the real API process, NestJS on Fastify); plain: \`bench/bare-api.ts\`, a bare NestJS/express route (Nest's default platform) whose handler only calls \`Queue.add\`. API CPU is the API process's user + system time over the measured run divided by the requests answered.`,
    "- Redis CPU and commands come from the server's own counters (INFO cpu, INFO commandstats) over the same spans; commands run inside Lua scripts count, as do the bench's few probe commands.",
    `- ${o.repetitions} runs of each measurement per system; a scenario's runs of the two systems follow each other, alternating which goes first; medians quoted. One private redis-server per bench run (no persistence), flushed between measurements.`,
  ];
}

/** The Markdown written to docs/BENCHMARKS.md. */
export function markdownReport(input: ReportInput): string {
  const { rows, machine: m, options } = input;
  const runs = (values: number[], digits: number): string => values.map((v) => num(v, digits)).join(', ');
  return [
    '# Benchmarks',
    '',
    'Our task system (`TaskClient`, the `codehubot worker` process, the REST API) against plain BullMQ on the',
    'same Redis, with a no-op task: `tasks.add` (x + y). Produced by `bench/` (issue #2); regenerate with:',
    '',
    '```sh',
    input.command,
    '```',
    '',
    '`npm run bench -- --help` lists the flags (each also readable from an environment variable).',
    '',
    `## Results (${input.date.toISOString().slice(0, 10)})`,
    '',
    `Machine: ${m.cpus} CPUs (\`nproc\`), ${m.cpuModel}, ${m.memoryGiB} GiB; Node ${m.node}; Redis ${m.redis};`,
    `BullMQ ${m.bullmq}; NestJS ${m.nest}. 1-minute load average ${m.loadAtStart.toFixed(2)} at the start and`,
    `${(m.loadAtEnd ?? NaN).toFixed(2)} at the end of the ${input.minutes.toFixed(1)}-minute run: the redis-server, the worker or API under`,
    'test and the bench process (producer, autocannon) share these CPUs, with whatever else runs on the machine.',
    ...(Math.max(m.loadAtStart, m.loadAtEnd ?? 0) > m.cpus
      ? [
          '',
          `**The load was above the CPU count: the machine was busy with other work, so rates and latencies are`,
          'low and noisy; the CPU-per-task figures and the ratios are the more telling.**',
        ]
      : []),
    '',
    mdRow(HEADER),
    mdRow(['---', '---:', '---:', '---:', '---']),
    ...rows.map((row) => mdRow(cells(row))),
    '',
    '## Every run',
    '',
    mdRow(['metric', 'plain BullMQ', 'ours']),
    mdRow(['---', '---', '---']),
    ...rows.map((row) =>
      mdRow([
        `${row.metric.label} (${row.metric.unit})`,
        runs(row.plainRuns, row.metric.digits),
        runs(row.oursRuns, row.metric.digits),
      ]),
    ),
    '',
    '## How each figure is measured',
    '',
    ...parameters(options),
    '',
  ].join('\n');
}
