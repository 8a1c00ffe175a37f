import { Injectable, Optional } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { TaskEventInfo, TaskOutcome } from '../core/decorators.js';
import type { TaskEnvelope } from '../core/envelope.js';
import { HandlerRegistry } from './handler-registry.js';

/**
 * Runs the `@OnTaskSuccess/@OnTaskFailure/@OnTaskRetry` hooks found among the consumer's providers, after
 * BullMQ has recorded the outcome. With the thread pool the handlers live in the threads; hooks declared on
 * the consumer's own providers run here.
 */
@Injectable()
export class TaskHooks {
  constructor(@Optional() private readonly registry?: HandlerRegistry) {}

  emit(outcome: TaskOutcome, job: Job<TaskEnvelope>, extra: Pick<TaskEventInfo, 'result' | 'error'>): void {
    if (!this.registry?.hasHooks(outcome)) return;
    void this.registry.runHooks(outcome, {
      id: job.id ?? '',
      name: job.name,
      queue: job.queueName,
      retries: Math.max(0, job.attemptsMade - 1),
      payload: job.data?.kwargs,
      ...extra,
    });
  }
}
