import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';
import { AsyncResult } from './async-result.js';
import type { TaskDefinition } from './define-task.js';
import type { TaskEnvelope } from './envelope.js';
import { IdempotencyConflictError } from './errors.js';
import { JobWriter } from './job-writer.js';
import { canonicalJson } from './json.js';
import { QueueRegistry } from './queue-registry.js';
import { Revocations } from './revocations.js';
import {
  signature,
  signatureByName,
  toJobSpec,
  type AnySignature,
  type JobSpec,
  type Signature,
} from './signature.js';
import type { SubmitOptions } from './submit-options.js';
import { TaskCatalogue } from './task-catalogue.js';
import { TaskStatusReader } from './task-status-reader.js';
import { TaskState, type TaskStatus } from './task-state.js';
import { replacedBy } from '../workflows/replace.js';
import { WorkflowClient } from '../workflows/workflow-client.js';

/**
 * The producer side of the task system: submit (typed, or by name as the REST API does) and revoke. Every
 * submission is a signature, checked before anything reaches Redis; reading tasks is `TaskStatusReader`'s.
 */
@Injectable()
export class TaskClient {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly revocations: Revocations,
    private readonly catalogue: TaskCatalogue,
    private readonly reader: TaskStatusReader,
    private readonly workflows: WorkflowClient,
    private readonly writer: JobWriter,
  ) {}

  /** Queues a task; the payload is checked against the definition at compile time and again here. */
  submit<P extends object, R>(
    task: TaskDefinition<P, R>,
    payload: P,
    options: SubmitOptions = {},
  ): Promise<AsyncResult<R>> {
    return this.submitSignature(signature(task, payload, options));
  }

  /** Celery's `send_task`: by wire name, with positional `args` and/or `kwargs`. */
  submitByName(
    name: string,
    args: readonly unknown[] | undefined,
    kwargs: Readonly<Record<string, unknown>> | undefined,
    options: SubmitOptions = {},
  ): Promise<AsyncResult<unknown>> {
    return this.submitSignature(signatureByName(this.catalogue, name, args, kwargs, options));
  }

  /** Queues one signature (Celery's `sig.apply_async()`). */
  async submitSignature<P extends object, R>(sig: Signature<P, R> | AnySignature): Promise<AsyncResult<R>> {
    const spec = toJobSpec(sig, { route: (name) => this.queues.router.route(name), now: Date.now() });
    const jobId = spec.opts.jobId;
    const keyed = sig.options.idempotencyKey !== undefined;
    if (keyed) {
      const existing = await this.reader.findJob(jobId);
      if (existing) {
        this.assertSameCall(existing, spec);
        return new AsyncResult<R>(jobId, this.reader);
      }
    }
    await this.writer.add([spec]);
    if (keyed) {
      const queue = this.queues.get(spec.queueName);
      // a concurrent submission with the same key may have added first: BullMQ then kept its job, not ours
      const stored = await Job.fromId<TaskEnvelope>(queue, jobId);
      if (stored) this.assertSameCall(stored, spec);
      return new AsyncResult<R>(jobId, this.reader);
    }
    const submittedState = (spec.opts.delay ?? 0) > 0 ? TaskState.Scheduled : TaskState.Pending;
    return new AsyncResult<R>(jobId, this.reader, submittedState);
  }

  /** An idempotency key stands for one call: the same task with the same arguments (key order aside). */
  private assertSameCall(job: Job<TaskEnvelope>, spec: JobSpec): void {
    if (job.name !== spec.name || canonicalJson(job.data.kwargs) !== canonicalJson(spec.data.kwargs)) {
      throw new IdempotencyConflictError(job.id ?? '');
    }
  }

  /** A handle on a task by id, as Celery's `AsyncResult(id)`. */
  result<R = unknown>(id: string): AsyncResult<R> {
    return new AsyncResult<R>(id, this.reader);
  }

  /**
   * Revokes a task (or a workflow) wherever it is: a task not yet started never runs; with `terminate` a
   * running one is stopped. Returns the status after the revoke, or null for an unknown id.
   */
  async revoke(id: string, terminate = false): Promise<TaskStatus | null> {
    const job = await this.reader.findJob(id);
    if (!job) return (await this.workflows.revoke(id, terminate)) ?? this.reader.purgedStatus(id);
    const started = ['active', 'completed', 'failed'].includes(await job.getState());
    await this.revocations.revoke(id, terminate, job.timestamp + job.delay, started);
    // a workflow member that has not started ends its workflow now, not when (if ever) a worker takes it
    const ref = job.data?.wf;
    if (ref && !started) await this.workflows.memberRevoked(ref);
    // a task that replaced itself lives on in its workflow
    const replacement = replacedBy(job.returnvalue);
    if (replacement) await this.workflows.revoke(replacement, terminate);
    return this.reader.status(id);
  }
}
