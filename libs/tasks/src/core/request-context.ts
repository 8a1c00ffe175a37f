/**
 * What follows a task from the call that queued it: the id of the HTTP request (or of any call a producer
 * names), which the task's log lines in the worker carry as `request_id`. Passed explicitly, not through async
 * context: Node 20's AsyncLocalStorage runs a hook on every promise the process makes, which cost the API
 * about a sixth of its CPU per request (docs/BENCHMARKS.md).
 */
export interface RequestContext {
  requestId?: string;
}
