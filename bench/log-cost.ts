import type { Job } from 'bullmq';
import { createLogger, TaskLog, type LogLevel } from '@app/tasks';
import type { TaskEnvelope } from '../libs/tasks/src/core/envelope.js';

/**
 * What the worker's per-task log lines cost, apart from everything else: CPU µs per task for the lines of a
 * successful task (received, started at debug, succeeded), written as JSON to /dev/null through the same async
 * destination the worker uses. `node dist/bench/log-cost.js [tasks]`.
 */
const TASKS_PER_TURN = 10;

async function measure(level: LogLevel, tasks: number): Promise<number> {
  const logger = createLogger(
    { level, format: 'json', file: '/dev/null' },
    { bindings: { worker: 'bench:1' } },
  );
  const log = new TaskLog(logger.child({ context: 'TaskLifecycle' }));
  const jobs = Array.from(
    { length: 1000 },
    (_, i) =>
      ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        name: 'tasks.add',
        queueName: 'default',
        attemptsMade: 0,
        data: { kwargs: { x: i, y: 1 } },
      }) as unknown as Job<TaskEnvelope>,
  );
  const start = process.cpuUsage();
  // as a worker writes them: a few tasks per turn of the event loop, the writes done by the loop in between
  for (let i = 0; i < tasks; i++) {
    const job = jobs[i % jobs.length];
    log.received(job);
    log.started(job, 1);
    log.succeeded(job, 1, i + 1);
    if (i % TASKS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / tasks;
}

/** A loop with nothing to log costs this much per task: taken off the figures above. */
async function loopOnly(tasks: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < tasks; i++) {
    if (i % TASKS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / tasks;
}

const tasks = Number(process.argv[2] ?? 200_000);
await measure('info', 20_000); // warm-up
const base = await loopOnly(tasks);
for (const level of ['debug', 'info', 'warn'] as const) {
  const cost = (await measure(level, tasks)) - base;
  console.log(`LOG_LEVEL=${level}: ${cost.toFixed(2)} µs CPU per task`);
}
