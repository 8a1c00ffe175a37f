import { Injectable } from '@nestjs/common';
import { AsyncResult } from '../core/async-result.js';
import type { TaskStatus } from '../core/task-state.js';
import type { Canvas, WorkflowSpec } from './canvas.js';

/**
 * The producer side of workflows: submit one (typed canvas, or the wire form `POST /workflows` takes), read and
 * revoke it. Every member is validated before anything is queued; the workflow is queued atomically.
 */
@Injectable()
export class WorkflowClient {
  /** Queues a workflow built in code; its result type follows from the canvas. */
  submit<R>(canvas: Canvas<R>): Promise<AsyncResult<R>> {
    return this.submitSpec(canvas) as Promise<AsyncResult<R>>;
  }

  /** Queues a workflow in its wire form; throws naming the member (path) and field at fault. */
  submitSpec(_spec: WorkflowSpec): Promise<AsyncResult<unknown>> {
    return Promise.reject(new Error('not built yet'));
  }

  /** Revokes every member not yet finished (with `terminate`, running ones are stopped); null if unknown. */
  revoke(_id: string, _terminate = false): Promise<TaskStatus | null> {
    return Promise.reject(new Error('not built yet'));
  }
}
