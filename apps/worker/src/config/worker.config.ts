import { availableParallelism } from 'node:os';
import { validateEnv, QUEUE_NAME_PATTERN } from '@app/tasks';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

class WorkerEnv {
  @Matches(/^\s*[A-Za-z0-9][A-Za-z0-9_-]*(\s*,\s*[A-Za-z0-9][A-Za-z0-9_-]*)*\s*$/, {
    message: 'WORKER_QUEUES must be a comma-separated list of queue names',
  })
  WORKER_QUEUES: string = 'default,embedding,email';

  @IsOptional() @IsInt() @Min(1) @Max(1000) WORKER_CONCURRENCY?: number;
  @IsInt() @Min(1) WORKER_MAX_TASKS_PER_CHILD: number = 1000;
  @IsOptional() @IsString() WORKER_NAME?: string;
}

/** The worker's own settings; command-line flags override them (see cli/). */
export interface WorkerSettings {
  queues: string[];
  concurrency: number;
  maxTasksPerChild: number;
  name?: string;
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
    concurrency: s.WORKER_CONCURRENCY ?? Math.max(4, availableParallelism() * 2),
    maxTasksPerChild: s.WORKER_MAX_TASKS_PER_CHILD,
    name: s.WORKER_NAME,
  };
}
