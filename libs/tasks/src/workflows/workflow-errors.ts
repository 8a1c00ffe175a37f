/** A workflow whose shape or options are wrong: names the member's path in the submitted JSON and the reason. */
export class WorkflowSpecError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path || 'workflow'}: ${reason}`);
    this.name = 'WorkflowSpecError';
  }
}
