import type { INestApplicationContext, Type } from '@nestjs/common';
import { SchedulesService } from '@app/schedules';
import { NestFactory } from '@nestjs/core';
import { QueueInspector, TaskClient, WorkerDirectory } from '@app/tasks';
import { print } from './print.js';
import { ProducerModule, SchedulesControlModule } from './producer.module.js';

export const INSPECT_WHAT = ['active', 'registered', 'stats', 'scheduled'] as const;
export type InspectWhat = (typeof INSPECT_WHAT)[number];

async function withProducer<T>(
  work: (app: INestApplicationContext) => Promise<T>,
  module: Type<unknown> = ProducerModule,
): Promise<T> {
  const app = await NestFactory.createApplicationContext(module, { logger: ['error', 'warn'] });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** `codehubot inspect active|registered|stats|scheduled`: Celery's inspect, read from worker heartbeats. */
export function runInspect(what: InspectWhat, json: boolean): Promise<number> {
  if (what === 'scheduled') return withProducer((app) => inspectScheduled(app, json), SchedulesControlModule);
  return withProducer(async (app) => {
    const workers = await app.get(WorkerDirectory).list();
    if (what === 'active') {
      const rows = workers.flatMap((w) =>
        w.active.map((a) => [w.id, a.task_id, a.name, a.queue, a.started_at]),
      );
      print(
        json,
        Object.fromEntries(workers.map((w) => [w.id, w.active])),
        ['worker', 'task_id', 'name', 'queue', 'started_at'],
        rows,
      );
    } else if (what === 'registered') {
      print(
        json,
        Object.fromEntries(workers.map((w) => [w.id, w.registered])),
        ['worker', 'registered tasks'],
        workers.map((w) => [w.id, w.registered.join('\n')]),
      );
    } else {
      print(
        json,
        workers,
        [
          'worker',
          'queues',
          'concurrency',
          'pool',
          'active',
          'processed',
          'failed',
          'uptime (s)',
          'rss (MiB)',
          'loop lag (ms)',
        ],
        workers.map((w) => [
          w.id,
          w.queues.join(','),
          w.concurrency,
          w.pool.kind === 'threads' ? `threads × ${w.pool.size} (replaced ${w.pool.replaced})` : 'inline',
          w.active.length,
          w.processed,
          w.failed,
          w.uptime_s,
          w.memory_rss_mb,
          w.loop_lag_ms,
        ]),
      );
    }
    return 0;
  });
}

/** `inspect scheduled`: the schedules with their next runs, beside the tasks waiting for an eta. */
async function inspectScheduled(app: INestApplicationContext, json: boolean): Promise<number> {
  const [schedules, tasks] = await Promise.all([
    app.get(SchedulesService).list(),
    app.get(QueueInspector).scheduled(),
  ]);
  if (json) {
    print(true, { schedules, tasks }, [], []);
    return 0;
  }
  process.stdout.write('Schedules\n');
  print(
    false,
    schedules,
    ['schedule', 'task', 'when', 'timezone', 'next_run', 'last_run', 'paused', 'error'],
    schedules.map((s) => [
      s.name,
      s.task,
      s.cron ?? `every ${s.every} s`,
      s.timezone,
      s.next_run ?? '',
      s.last_run ?? '',
      s.paused ? 'yes' : 'no',
      s.error ?? '',
    ]),
  );
  process.stdout.write('Tasks waiting for an eta\n');
  print(
    false,
    tasks,
    ['task_id', 'name', 'queue', 'state', 'eta', 'retries'],
    tasks.map((t) => [t.task_id, t.name, t.queue, t.state, t.eta, t.retries]),
  );
  return 0;
}

/** `codehubot purge [--queue NAME]`: removes waiting tasks (all known queues by default); they read REVOKED. */
export function runPurge(queue: string | undefined, json: boolean): Promise<number> {
  return withProducer(async (app) => {
    const inspector = app.get(QueueInspector);
    const names = queue ? [queue] : (await inspector.counts()).map((q) => q.name);
    const results = [];
    for (const name of names) results.push({ queue: name, purged: await inspector.purge(name) });
    print(
      json,
      results,
      ['queue', 'purged'],
      results.map((r) => [r.queue, r.purged]),
    );
    return 0;
  });
}

/** `codehubot revoke <task_id> [--terminate]`: the same revoke as the API's. */
export function runRevoke(taskId: string, terminate: boolean, json: boolean): Promise<number> {
  return withProducer(async (app) => {
    const status = await app.get(TaskClient).revoke(taskId, terminate);
    if (!status) {
      process.stderr.write(`No task ${taskId}\n`);
      return 2;
    }
    print(json, status, ['task_id', 'name', 'state'], [[status.task_id, status.name, status.state]]);
    return 0;
  });
}
