import { Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { TaskEnvelope } from '../core/envelope.js';
import { TaskLostError } from '../core/errors.js';
import type { WorkflowSpec } from './canvas.js';
import { replacedBy } from './replace.js';
import { WorkflowEngine, type MemberRef } from './workflow-engine.js';

/** Whether this failure is a member's last: no attempt follows it. */
export function isFinalFailure(job: Job<TaskEnvelope>, error: unknown): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * The worker's side of workflows: what a member's run means for its workflow. A success moves the workflow on;
 * a failure for good ends it; a run lost to crash recovery means nothing (another worker runs the member).
 */
@Injectable()
export class WorkflowMembers {
  constructor(private readonly engine: WorkflowEngine) {}

  async run(job: Job<TaskEnvelope>, ref: MemberRef, outcome: Promise<unknown>): Promise<unknown> {
    let result: unknown;
    try {
      result = await outcome;
    } catch (error) {
      if (!(error instanceof TaskLostError) && isFinalFailure(job, error)) {
        await this.failed(ref, error);
      }
      throw error;
    }
    // a member that replaced itself finishes when its replacement does
    if (replacedBy(result) === undefined) await this.engine.completed(ref.wf, ref.n, ref, result);
    return result;
  }

  /** Ends the member's workflow (idempotent: a second report of the same end changes nothing). */
  async failed(ref: MemberRef, error: unknown): Promise<void> {
    await this.engine.memberFailed(ref, error instanceof Error ? error : new Error(String(error)));
  }

  replace(job: Job<TaskEnvelope>, spec: WorkflowSpec): Promise<unknown> {
    return this.engine.replace(job.id ?? '', job.data?.wf, spec);
  }
}
