import { validateSync, type ValidationError } from 'class-validator';
import type { AnyTask } from './define-task.js';
import { PayloadValidationError } from './errors.js';
import { toInstance } from './instance.js';
import { assertJsonSafe } from './json.js';
import { cacheValidationMetadata } from './validation-metadata-cache.js';

cacheValidationMetadata();

/**
 * Maps Celery-style `args` (positional, in the task's declared order) and `kwargs` onto one payload object,
 * refusing what Python would refuse: too many positional arguments, or the same parameter given twice.
 */
export function bindArguments(
  task: AnyTask,
  args: readonly unknown[] = [],
  kwargs: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  if (args.length > task.params.length) {
    throw new PayloadValidationError(task.name, [
      `args: takes ${task.params.length} positional argument(s) (${task.params.join(', ') || 'none'}) but ${args.length} were given`,
    ]);
  }
  const payload: Record<string, unknown> = {};
  args.forEach((value, i) => (payload[task.params[i]] = value));
  for (const [key, value] of Object.entries(kwargs)) {
    if (key in payload) {
      throw new PayloadValidationError(task.name, [`${key}: given both in args and in kwargs`]);
    }
    payload[key] = value;
  }
  return payload;
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) =>
      message.startsWith(`property ${e.property} `) ? `${path}: unknown parameter` : `${path}: ${message}`,
    );
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * Checks a payload against its task's class-validator class; returns it unchanged (a plain JSON object) or
 * throws `PayloadValidationError` naming every field at fault. Unknown keys are refused, not dropped.
 */
export function validatePayload<P extends object>(task: AnyTask, payload: unknown): P {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new PayloadValidationError(task.name, ['payload: must be an object of keyword arguments']);
  }
  assertJsonSafe(payload, 'kwargs');
  const instance = toInstance<object>(task.payload, payload);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    // a task without parameters has a payload class without fields (no metadata): {} is its payload
    forbidUnknownValues: false,
  });
  if (errors.length > 0) throw new PayloadValidationError(task.name, flatten(errors));
  return payload as P;
}
