import { UnrecoverableError } from 'bullmq';
import { RetryTaskError } from '../../core/errors.js';

/** An error as it crosses from an executor thread to the consumer: what decides retry or not survives. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  permanent: boolean;
  /** Set when the task asked for a retry (`ctx.retry`); `countdown` in seconds. */
  retry?: { countdown?: number };
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof RetryTaskError) {
    return {
      name: error.name,
      message: error.message,
      permanent: false,
      retry: { countdown: error.countdown },
    };
  }
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      permanent: error instanceof UnrecoverableError,
    };
  }
  return { name: 'Error', message: String(error), permanent: false };
}

/** Rebuilds an error BullMQ treats the same way as the original: permanent ones skip the remaining attempts. */
export function deserializeError(serialized: SerializedError): Error {
  let error: Error;
  if (serialized.retry) error = new RetryTaskError(serialized.retry.countdown);
  else if (serialized.permanent) error = new UnrecoverableError(serialized.message);
  else error = new Error(serialized.message);
  error.name = serialized.name;
  error.message = serialized.message;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}
