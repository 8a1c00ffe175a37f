import type { MachineNotes } from './machine.js';
import type { BenchOptions } from './options.js';
import type { SizeRow, SummaryRow } from './results.js';
import { CHAIN_LINKS, CHORD_CHAINS, CHORD_WIDTH } from './scenarios/workflows.js';

export interface ReportInput {
  rows: SummaryRow[];
  /** Stored sizes of workflows (ours), when the workflows scenario ran. */
  sizes: SizeRow[];
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

const SIZE_HEADER = [
  'shape (ours, after completion)',
  'tasks',
  'workflow hash (bytes)',
  'per task',
  'member jobs (bytes)',
  'per task',
  'job data, all (bytes)',
  'largest job data (bytes)',
];

const sizeCells = (row: SizeRow): string[] => [
  row.shape,
  num(row.tasks, 0),
  num(row.workflowBytes, 0),
  num(row.workflowBytes / row.tasks, 0),
  num(row.jobBytes, 0),
  num(row.jobBytes / row.tasks, 0),
  num(row.dataBytes, 0),
  num(row.largestDataBytes, 0),
];

/** A plain-text table for the terminal, columns padded; the stored sizes below it when there are any. */
export function textTable(rows: SummaryRow[], sizes: SizeRow[] = []): string {
  const text = padded(HEADER, rows.map(cells));
  return sizes.length > 0 ? `${text}\n\n${padded(SIZE_HEADER, sizes.map(sizeCells))}` : text;
}

function padded(header: string[], body: string[][]): string {
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join(
    '\n',
  );
}

const mdRow = (r: string[]): string => `| ${r.join(' | ')} |`;

function parameters(o: BenchOptions): string[] {
  const by: Record<BenchOptions['scenarios'][number], string | string[]> = {
    processing: `- processing: ${o.tasks} tasks pre-filled (${o.inFlight} in flight) into a paused queue, one worker process with concurrency ${o.concurrency} started and settled, then the queue resumed; time (worker start-up not counted) from the resume to the last \`finishedOn\`; results kept (ours: \`RESULT_EXPIRES\` 3600 s; plain: BullMQ's default, kept forever). Worker CPU is user + system time of the worker process over that span, from \`/proc/<pid>/stat\`.`,
    'processing-off': `- processing, observability off: the same, with ours's \`HISTORY_ENABLED=false METRICS_ENABLED=false LOG_LEVEL=warn\` (no task events, no history or metrics writes, no per-task log lines); plain BullMQ runs as in processing (paired with it in the same repetition). The processing row above is ours as shipped: history, metrics and per-task logs on, and an API process running beside the worker (started before it, as \`npm start\` does), which holds the event recorder's lease and writes the history (SQLite) and the metrics while the worker runs; its CPU over the measured span is reported per task.`,
    enqueue: `- enqueue: one producer in the bench process adds ${o.enqueueTasks} tasks with sequential awaits, then ${o.enqueueTasks} with ${o.inFlight} promises in flight, no worker running (paused queue). Ours: \`TaskClient.submit(Add, {x, y})\`, validated; plain: \`Queue.add('add', {x, y})\`. Producer CPU is the bench process's CPU time over the concurrent run divided by the tasks added.`,
    latency: `- latency: one running worker, ${o.rate} tasks/s offered open-loop for ${o.latencySeconds} s after a ${o.warmupSeconds} s warm-up (not counted). enqueue→start = job \`processedOn\` − the time just before the producer call; enqueue→done uses \`finishedOn\`. Millisecond clock.`,
    rest: `- REST: autocannon, ${o.connections} connections, ${o.restSeconds} s after a ${o.warmupSeconds} s warm-up, no worker. Ours: \`POST /tasks/tasks.add\` \`{"args":[4,4]}\` with Bearer auth and validation on (the real API process, NestJS on Fastify); plain: \`bench/bare-api.ts\`, a bare NestJS/express route (Nest's default platform) whose handler only calls \`Queue.add\`. API CPU is the API process's user + system time over the measured run divided by the requests answered.`,
    workflows: [
      `- workflows: ${o.groupTasks} no-op tasks queued at once on one running worker process (concurrency ${o.concurrency}), after an untimed batch of 10 and a 500 ms settle. Ours: one group of \`tasks.add\` members, \`WorkflowClient.submit(group(...))\` in the bench process (plan validated; the workflow's hash and its first 500 members' jobs in one MULTI, the others in MULTIs of 500), waited for with \`AsyncResult.get\` and its result (the ${o.groupTasks} sums, in order) checked; plain: one \`Queue.addBulk\` of independent jobs, which BullMQ 6 sends as one pipeline, not a transaction (one \`addJob\` script per job, other clients served between them; the worker starts on the first jobs while the rest arrive). Time: from just before the submit to the end recorded in Redis (ours: the workflow's \`done_at\`; plain: the last \`finishedOn\`). CPU of the bench process over the submit call, of the worker process from the submit to the end.`,
      "- workflows, memory: Redis used_memory from INFO memory just before the submit and just after the end, before anything expires: it counts the tasks' job hashes, the completed set, the events stream (capped by BullMQ at about 10,000 entries in both systems) and, for ours, the workflow's hash (its plan, one node per member, and every result). The job and workflow hashes are also measured one by one with `MEMORY USAGE … SAMPLES 0`.",
      "- workflows, longest command: CONFIG RESETSTAT just before the submit, INFO latencystats (p100 of each command type, 2 significant digits) read as soon as the submit call returns; the longest EXEC of the submit's MULTIs is read the same way. SLOWLOG cannot show it: Redis 7 logs the commands inside a MULTI one by one, never the EXEC that runs them in one go, during which Redis serves no one else. These are wall-clock times: on a loaded machine they include the time redis-server waited for a CPU; Redis's own CPU time over the whole submit call (INFO cpu: the queued commands, the EXEC, and the first moves of the worker once it returns) is reported beside them (for plain it includes the jobs the worker ran while the pipeline was still arriving).",
      `- workflows, stored sizes (ours, each read after the workflow completed): the group above; a chain of ${CHAIN_LINKS} \`tasks.add\` links, each receiving the previous result; chains of ${CHORD_CHAINS.join(', ')} chords of ${CHORD_WIDTH} \`tasks.add\` members with a \`tasks.xsum\` body, each later chord's members receiving the previous body's result. Workflow hash and member jobs by \`MEMORY USAGE … SAMPLES 0\`; job data: \`HSTRLEN\` of each member job's \`data\` field (its payload and workflow link).`,
    ],
  };
  return [
    ...o.scenarios.flatMap((scenario) => by[scenario]),
    "- Redis CPU and commands come from the server's own counters (INFO cpu, INFO commandstats) over the same spans; commands run inside Lua scripts count, as do the bench's few probe commands.",
    `- ${o.repetitions} runs of each measurement per system; a scenario's runs of the two systems follow each other, alternating which goes first; medians quoted, and ours/plain is the median of the repetitions' own ratios (a drift of the machine's speed between repetitions cancels out). One private redis-server per bench run (no persistence), flushed between measurements.`,
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
    ...(input.sizes.length > 0
      ? [
          '## Workflow stored sizes',
          '',
          'Medians of runs; per task is the figure over the number of tasks in the workflow.',
          '',
          mdRow(SIZE_HEADER),
          mdRow(['---', ...SIZE_HEADER.slice(1).map(() => '---:')]),
          ...input.sizes.map((row) => mdRow(sizeCells(row))),
          '',
        ]
      : []),
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
