import type { ExecutorStats } from '../runtime/executors/task-executor.js';

/** A worker's heartbeat: what `GET /workers` and `codehubot inspect` show. snake_case, as on the wire. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  concurrency: number;
  active: { task_id: string; name: string; queue: string; started_at: string }[];
  processed: number;
  failed: number;
  registered: string[];
  started_at: string;
  uptime_s: number;
  memory_rss_mb: number;
  /** p99 delay of the consumer's event loop over the last interval: what keeps BullMQ locks renewed. */
  loop_lag_ms: number;
  pool: ExecutorStats;
  last_heartbeat: string;
}

/** Seconds between heartbeats; a worker silent for three is taken for dead and drops off the list. */
export const HEARTBEAT_INTERVAL_S = 2;
export const HEARTBEAT_TTL_S = HEARTBEAT_INTERVAL_S * 3;
