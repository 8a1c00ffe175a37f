import { JsonTooDeepError, NotJsonError } from './errors.js';

/** How deep arrays and objects may nest in a payload, a result or a request body. */
export const MAX_JSON_DEPTH = 100;

/** Half of a surrogate pair, alone: not Unicode text; UTF-8 (mail, the database, a URL) cannot encode it. */
const LONE_SURROGATE = /\p{Surrogate}/u;

const pathText = (root: string, keys: readonly (string | number)[]): string =>
  keys.reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`), root);

/**
 * Refuses anything JSON would silently change: undefined, functions, symbols, bigint, NaN/Infinity, class
 * instances (Date, Map, Buffer…), cycles, strings or keys that are not Unicode text (a lone surrogate); and
 * nesting deeper than MAX_JSON_DEPTH, which whatever walks the value next (a validator, JSON.stringify) could
 * not. Celery is configured JSON-only; so are we, but loudly. The error names the path, from `root`.
 */
export function assertJsonSafe(value: unknown, root = 'value'): void {
  const keys: (string | number)[] = [];
  /** The arrays and objects being walked, outermost first: a cycle, and the depth. */
  const open = new Set<object>();
  const refuse = (what: string): never => {
    throw new NotJsonError(pathText(root, keys), what);
  };
  const visit = (item: unknown): void => {
    switch (typeof item) {
      case 'string':
        if (LONE_SURROGATE.test(item)) refuse('a string with a lone surrogate (not Unicode text)');
        return;
      case 'boolean':
        return;
      case 'number':
        if (!Number.isFinite(item)) refuse(String(item));
        return;
      case 'undefined':
        return refuse('undefined');
      case 'function':
      case 'symbol':
      case 'bigint':
        return refuse(`a ${typeof item}`);
    }
    if (item === null) return;
    const object = item as object;
    if (open.has(object)) refuse('a circular reference');
    if (open.size >= MAX_JSON_DEPTH) throw new JsonTooDeepError(pathText(root, keys), MAX_JSON_DEPTH);
    open.add(object);
    if (Array.isArray(object)) {
      object.forEach((element, i) => {
        keys.push(i);
        visit(element);
        keys.pop();
      });
    } else {
      const proto: unknown = Object.getPrototypeOf(object);
      if (proto !== Object.prototype && proto !== null) {
        refuse(`a ${object.constructor?.name ?? 'class'} instance`);
      }
      for (const [key, element] of Object.entries(object)) {
        keys.push(key);
        if (LONE_SURROGATE.test(key)) refuse('a key with a lone surrogate (not Unicode text)');
        visit(element);
        keys.pop();
      }
    }
    open.delete(object);
  };
  visit(value);
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
