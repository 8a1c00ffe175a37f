import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { parseRoutes, type Route } from '../queues.js';
import { validateEnv } from '@app/config';

const BOOLEAN = /^(true|false|1|0|yes|no|on|off)$/i;
const isOn = (value: string): boolean => /^(true|1|yes|on)$/i.test(value);

class TasksEnv {
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @Matches(/^(\{[A-Za-z0-9_-]+\}|[A-Za-z0-9_-]+)$/, {
    message:
      'QUEUE_PREFIX may hold letters, digits, _ and - only, optionally as one {hash-tag} for Redis Cluster',
  })
  QUEUE_PREFIX: string = 'codehubot';

  @IsInt() @Min(1) RESULT_EXPIRES: number = 3600;
  @IsInt() @Min(1) TASK_SOFT_TIME_LIMIT: number = 300;
  @IsInt() @Min(1) TASK_TIME_LIMIT: number = 360;
  @IsInt() @Min(0) TASK_DEFAULT_RETRY_DELAY: number = 60;

  /** `pattern=queue` pairs, comma separated; replaces the default routing table when set. */
  @IsOptional() @IsString() TASK_ROUTES?: string;

  /** Task history in the database (`GET /tasks`, `/stats`, results after expiry). */
  @Matches(BOOLEAN, { message: 'HISTORY_ENABLED must be true or false' })
  HISTORY_ENABLED: string = 'true';
  /** Per-task counters and histograms in `/metrics`. */
  @Matches(BOOLEAN, { message: 'METRICS_ENABLED must be true or false' })
  METRICS_ENABLED: string = 'true';
  /** Most task events kept on the stream while the recorder cannot keep up (a database away). */
  @IsInt() @Min(1000) EVENTS_STREAM_MAXLEN: number = 1_000_000;
  /** Longest result (JSON, bytes) carried to the history; longer ones are cut and marked. */
  @IsInt() @Min(64) HISTORY_RESULT_MAX_BYTES: number = 16_384;
}

/** Settings shared by every process that talks to the broker: producer and worker alike. */
export interface TasksConfig {
  redisUrl: string;
  prefix: string;
  /** Seconds a finished task's state and result stay readable. */
  resultExpires: number;
  softTimeLimit: number;
  timeLimit: number;
  defaultRetryDelay: number;
  routes: Route[];
  /** Task events (docs/OBSERVABILITY.md): written when history or metrics are on. */
  events: {
    enabled: boolean;
    history: boolean;
    metrics: boolean;
    maxLen: number;
    resultMaxBytes: number;
  };
}

export function loadTasksConfig(env: NodeJS.ProcessEnv = process.env): TasksConfig {
  const s = validateEnv(TasksEnv, env);
  return {
    redisUrl: s.REDIS_URL,
    prefix: s.QUEUE_PREFIX,
    resultExpires: s.RESULT_EXPIRES,
    softTimeLimit: s.TASK_SOFT_TIME_LIMIT,
    timeLimit: s.TASK_TIME_LIMIT,
    defaultRetryDelay: s.TASK_DEFAULT_RETRY_DELAY,
    routes: parseRoutes(s.TASK_ROUTES),
    events: {
      enabled: isOn(s.HISTORY_ENABLED) || isOn(s.METRICS_ENABLED),
      history: isOn(s.HISTORY_ENABLED),
      metrics: isOn(s.METRICS_ENABLED),
      maxLen: s.EVENTS_STREAM_MAXLEN,
      resultMaxBytes: s.HISTORY_RESULT_MAX_BYTES,
    },
  };
}

export const tasksConfig = registerAs('tasks', () => loadTasksConfig());
