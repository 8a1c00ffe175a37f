const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);

/**
 * The API's one rule for `null`: it means absent. A body that is `null` is no body; a field given as `null`
 * is a field not given, so an optional one takes its default and a required one is refused by name, as if
 * left out. What a field holds (a task's `args` and `kwargs`) is the task's data and is left as sent: a
 * `null` there is a value, checked by the task's parameters.
 */
export function nullAsAbsent(value: unknown): unknown {
  if (value === null) return undefined;
  if (!isPlainObject(value) || !Object.values(value).includes(null)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null));
}
