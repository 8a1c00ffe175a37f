import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { TaskEnvelope } from '../core/envelope.js';
import { preview, redactText } from './preview.js';

/** The fields of every line about one task. */
interface TaskFields {
  task_id: string | undefined;
  task_name: string;
  queue: string;
  request_id: string | undefined;
}

function fields(job: Job<TaskEnvelope>): TaskFields {
  return { task_id: job.id, task_name: job.name, queue: job.queueName, request_id: job.data?.rid };
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)}` : `${Math.round(ms / 100) / 10}`;
}

/**
 * One line per task event, as Celery's worker writes them: `Task tasks.add[<id>] received`, `started`,
 * `succeeded in 3 ms: 8`, `retry in 60 s: <reason>`, `failed: <error>` with the traceback, `revoked`.
 * received, succeeded and revoked are info, retry warn, failed error (with `err.stack`), started debug: as
 * Celery's worker, which says received and succeeded (each line costs the worker a few µs of CPU, see
 * docs/OBSERVABILITY.md). The level checks are done once: a worker at LOG_LEVEL=warn pays nothing for the
 * lines it does not write.
 */
export class TaskLog {
  private readonly debugOn: boolean;
  private readonly infoOn: boolean;
  private readonly warnOn: boolean;

  constructor(private readonly logger: Logger) {
    this.debugOn = logger.isLevelEnabled('debug');
    this.infoOn = logger.isLevelEnabled('info');
    this.warnOn = logger.isLevelEnabled('warn');
  }

  received(job: Job<TaskEnvelope>): void {
    if (this.infoOn) this.logger.info(fields(job), `Task ${job.name}[${job.id}] received`);
  }

  started(job: Job<TaskEnvelope>, attempt: number): void {
    if (!this.debugOn) return;
    const line = fields(job) as TaskFields & { attempt: number };
    line.attempt = attempt;
    this.logger.debug(line, `Task ${job.name}[${job.id}] started`);
  }

  succeeded(job: Job<TaskEnvelope>, runtimeMs: number | undefined, result: unknown): void {
    if (!this.infoOn) return;
    const line = fields(job) as TaskFields & { runtime_ms?: number };
    line.runtime_ms = runtimeMs;
    const took = runtimeMs === undefined ? '' : ` in ${runtimeMs} ms`;
    this.logger.info(line, `Task ${job.name}[${job.id}] succeeded${took}: ${preview(result)}`);
  }

  retrying(job: Job<TaskEnvelope>, error: Error, delayMs: number): void {
    if (!this.warnOn) return;
    const line = fields(job) as TaskFields & { attempt: number; delay_ms: number };
    line.attempt = job.attemptsMade;
    line.delay_ms = delayMs;
    const reason = redactText(`${error.name}: ${error.message}`);
    this.logger.warn(line, `Task ${job.name}[${job.id}] retry in ${seconds(delayMs)} s: ${reason}`);
  }

  failed(job: Job<TaskEnvelope>, error: Error, runtimeMs: number | undefined): void {
    const line = fields(job) as TaskFields & { attempt: number; runtime_ms?: number; err: object };
    line.attempt = job.attemptsMade;
    line.runtime_ms = runtimeMs;
    const message = redactText(error.message);
    // only these three: an error's other own fields (a library's request, a command) may hold secrets
    line.err = { type: error.name, message, stack: error.stack ? redactText(error.stack) : undefined };
    this.logger.error(line, `Task ${job.name}[${job.id}] failed: ${error.name}: ${message}`);
  }

  revoked(job: Job<TaskEnvelope>, reason: string): void {
    if (!this.infoOn) return;
    const why = reason.replace(/^REVOKED:\s*/, '');
    this.logger.info(fields(job), `Task ${job.name}[${job.id}] revoked: ${why}`);
  }
}
