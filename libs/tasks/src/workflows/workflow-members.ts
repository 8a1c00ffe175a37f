import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { TaskEnvelope } from '../core/envelope.js';
import { TaskLostError } from '../core/errors.js';
import { isFinalFailure } from '../core/retry-delay.js';
import type { WorkflowSpec } from './canvas.js';
import { replacedBy } from './replace.js';
import { WorkflowEngine, type MemberRef } from './workflow-engine.js';

const ABANDONED_SWEEP_MS = 5_000;

/**
 * The worker's side of workflows: what a member's run means for its workflow. A success moves the workflow on;
 * a failure for good ends it; a run lost to crash recovery means nothing (another worker runs the member).
 */
@Injectable()
export class WorkflowMembers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkflowMembers.name);
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly engine: WorkflowEngine) {}

  /** Every worker looks for workflows whose submitter died half-way through queuing them, now and then. */
  onApplicationBootstrap(): void {
    this.sweep = setInterval(() => {
      this.engine.failAbandoned().then(
        (failed) => failed > 0 && this.logger.warn(`${failed} half-queued workflow(s) failed`),
        () => undefined, // Redis away: the next round tries again
      );
    }, ABANDONED_SWEEP_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
  }

  async run(job: Job<TaskEnvelope>, ref: MemberRef, outcome: Promise<unknown>): Promise<unknown> {
    let result: unknown;
    try {
      result = await outcome;
    } catch (error) {
      if (!(error instanceof TaskLostError) && isFinalFailure(job, error, job.attemptsMade + 1)) {
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
