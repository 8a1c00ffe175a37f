import { availableParallelism } from 'node:os';
import { QUEUE_NAME_PATTERN } from '@app/tasks';
import { validateEnv } from '@app/config';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

class WorkerEnv {
  @Matches(/^\s*[A-Za-z0-9][A-Za-z0-9_-]*(\s*,\s*[A-Za-z0-9][A-Za-z0-9_-]*)*\s*$/, {
    message: 'WORKER_QUEUES must be a comma-separated list of queue names',
  })
  WORKER_QUEUES: string = 'default,embedding,email';

  @IsOptional() @IsInt() @Min(1) @Max(1000) WORKER_CONCURRENCY?: number;
  @IsInt() @Min(1) WORKER_MAX_TASKS_PER_CHILD: number = 1000;
  @IsOptional() @IsInt() @Min(64) WORKER_MAX_MEMORY_PER_CHILD?: number;
  @IsIn(['threads', 'inline']) WORKER_POOL: string = 'threads';
  @IsOptional() @IsInt() @Min(1) @Max(64) WORKER_POOL_SIZE?: number;
  @IsOptional() @IsString() WORKER_NAME?: string;
  @IsInt() @Min(1) WORKER_DEAD_AFTER: number = 10;
  @IsInt() @Min(1) WORKER_LOCK_DURATION: number = 30;
  @IsInt() @Min(1) WORKER_STALLED_INTERVAL: number = 30;
  @IsInt() @Min(0) WORKER_MAX_STALLED_COUNT: number = 1;
  @IsInt() @Min(0) WORKER_SHUTDOWN_GRACE: number = 60;
  @IsInt() @Min(0) TASK_TERMINATE_GRACE: number = 5;
}

/** The worker's own settings; command-line flags override some of them (see cli/worker.command.ts). */
export interface WorkerSettings {
  queues: string[];
  concurrency: number;
  maxTasksPerChild: number;
  maxMemoryPerChild?: number;
  pool: 'threads' | 'inline';
  poolSize: number;
  name?: string;
  deadAfter: number;
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
  shutdownGrace: number;
  terminateGrace: number;
}

export function parseQueueList(list: string): string[] {
  const queues = [
    ...new Set(
      list
        .split(',')
        .map((q) => q.trim())
        .filter(Boolean),
    ),
  ];
  const bad = queues.filter((q) => !QUEUE_NAME_PATTERN.test(q));
  if (queues.length === 0 || bad.length > 0) {
    throw new Error(`invalid queue list "${list}"${bad.length ? `: ${bad.join(', ')}` : ''}`);
  }
  return queues;
}

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const s = validateEnv(WorkerEnv, env);
  return {
    queues: parseQueueList(s.WORKER_QUEUES),
    concurrency: s.WORKER_CONCURRENCY ?? 10,
    maxTasksPerChild: s.WORKER_MAX_TASKS_PER_CHILD,
    maxMemoryPerChild: s.WORKER_MAX_MEMORY_PER_CHILD,
    pool: s.WORKER_POOL as 'threads' | 'inline',
    poolSize: s.WORKER_POOL_SIZE ?? Math.max(2, availableParallelism()),
    name: s.WORKER_NAME,
    deadAfter: s.WORKER_DEAD_AFTER,
    lockDuration: s.WORKER_LOCK_DURATION,
    stalledInterval: s.WORKER_STALLED_INTERVAL,
    maxStalledCount: s.WORKER_MAX_STALLED_COUNT,
    shutdownGrace: s.WORKER_SHUTDOWN_GRACE,
    terminateGrace: s.TASK_TERMINATE_GRACE,
  };
}
