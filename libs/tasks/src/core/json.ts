import { NotJsonError } from './errors.js';

/**
 * Refuses anything JSON would silently change: undefined, functions, symbols, bigint, NaN/Infinity, class
 * instances (Date, Map, Buffer…) and cycles. Celery is configured JSON-only; so are we, but loudly.
 */
export function assertJsonSafe(value: unknown, path = 'value', seen = new Set<object>()): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new NotJsonError(path, String(value));
      return;
    case 'undefined':
      throw new NotJsonError(path, 'undefined');
    case 'function':
    case 'symbol':
    case 'bigint':
      throw new NotJsonError(path, `a ${typeof value}`);
  }
  if (value === null) return;
  const object = value as object;
  if (seen.has(object)) throw new NotJsonError(path, 'a circular reference');
  seen.add(object);
  if (Array.isArray(object)) {
    object.forEach((item, i) => assertJsonSafe(item, `${path}[${i}]`, seen));
  } else {
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      throw new NotJsonError(path, `a ${object.constructor?.name ?? 'class'} instance`);
    }
    for (const [key, item] of Object.entries(object)) assertJsonSafe(item, `${path}.${key}`, seen);
  }
  seen.delete(object);
}

/**
 * JSON text with the keys of every object sorted: two values JSON considers equal (objects are unordered)
 * give the same text, whatever order their keys were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
