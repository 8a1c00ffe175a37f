import { Injectable } from '@nestjs/common';
import { AsyncResult, type StatusSource } from '../core/async-result.js';
import type { RequestContext } from '../core/request-context.js';
import { TaskState, type TaskStatus } from '../core/task-state.js';
import type { Canvas, WorkflowSpec } from './canvas.js';
import { TaskRevokedError } from '../core/errors.js';
import { WorkflowEngine, type MemberRef } from './workflow-engine.js';
import { WorkflowStatusReader } from './workflow-status.js';

/**
 * The producer side of workflows: submit one (typed canvas, or the wire form `POST /workflows` takes), read and
 * revoke it. Every member is validated before anything is queued; the workflow is queued atomically.
 */
@Injectable()
export class WorkflowClient {
  /** Reads a workflow without listing its members: what a handle's polling needs. */
  private readonly summaries: StatusSource;

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly reader: WorkflowStatusReader,
  ) {
    this.summaries = { status: (id) => this.reader.status(id, false) };
  }

  /** Queues a workflow built in code; its result type follows from the canvas. */
  submit<R>(canvas: Canvas<R>, origin: RequestContext = {}): Promise<AsyncResult<R>> {
    return this.submitSpec(canvas, origin) as Promise<AsyncResult<R>>;
  }

  /**
   * Queues a workflow in its wire form; throws naming the member (path) and field at fault, with nothing
   * queued: `WorkflowSpecError`, `PayloadValidationError`, `UnknownTaskError`. Its first tasks carry the
   * request id of `origin`.
   */
  async submitSpec(spec: WorkflowSpec, origin: RequestContext = {}): Promise<AsyncResult<unknown>> {
    const id = await this.engine.create(this.engine.plan(spec), {}, undefined, origin);
    return new AsyncResult(id, this.summaries, TaskState.Pending);
  }

  /** A handle on a workflow by id. */
  result<R = unknown>(id: string): AsyncResult<R> {
    return new AsyncResult<R>(id, this.summaries);
  }

  /** A member revoked before it started: its workflow ends REVOKED at once, naming it. */
  memberRevoked(ref: MemberRef): Promise<void> {
    return this.engine.memberFailed(ref, new TaskRevokedError('revoked'));
  }

  /**
   * Revokes a workflow: it ends REVOKED and every member not yet finished is revoked (with `terminate`, running
   * ones are stopped). Returns its status after the revoke, or null when no workflow has that id.
   */
  async revoke(id: string, terminate = false): Promise<TaskStatus | null> {
    if (!(await this.reader.status(id, false))) return null;
    await this.engine.fail(id, 'REVOKED: revoked', TaskState.Revoked, terminate);
    return this.reader.status(id);
  }
}
