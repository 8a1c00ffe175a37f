import { currentRequestId } from '../core/request-context.js';

/** A pino `mixin`: `request_id` on every line written while an HTTP request is served. */
export function requestIdFields(): object {
  const id = currentRequestId();
  // a new object each time: pino merges the line's fields into it
  return id === undefined ? {} : { request_id: id };
}
