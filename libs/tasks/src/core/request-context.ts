import { AsyncLocalStorage } from 'node:async_hooks';

/** What follows a task from the HTTP request that queued it: the request id (logs) and nothing else yet. */
export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with this request's context: tasks it queues carry its request id into the worker's log lines. */
export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The request id of the HTTP call being served, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
