import { getMetadataStorage } from 'class-validator';
import { createHash } from 'node:crypto';
import type { AnyTask } from './define-task.js';

const NESTED = 'nestedValidation';
const fingerprints = new WeakMap<AnyTask, string | null>();

/** Functions (custom validators, `ValidateIf` conditions) count by their source text. */
const stable = (_key: string, value: unknown): unknown =>
  typeof value === 'function' ? `fn:${value.toString()}` : value;

function rulesOf(cls: object, seen: Set<object>): string[] | null {
  if (seen.has(cls)) return [];
  seen.add(cls);
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    cls as new () => object,
    '',
    true,
    false,
  );
  const rules: string[] = [];
  for (const m of metadata) {
    rules.push(
      [
        m.propertyName,
        m.type,
        m.name ?? '',
        m.each,
        m.always ?? '',
        JSON.stringify(m.constraints ?? [], stable),
      ]
        .concat(typeof m.constraintCls === 'function' ? m.constraintCls.name : '')
        .join('|'),
    );
    if (m.type === NESTED) {
      const nested: unknown = Reflect.getMetadata(
        'design:type',
        (cls as { prototype: object }).prototype,
        m.propertyName,
      );
      // an array or a plain object hides its element class from the type metadata: no fingerprint then
      if (typeof nested !== 'function' || nested === Array || nested === Object) return null;
      const inner = rulesOf(nested, seen);
      if (!inner) return null;
      rules.push(...inner.map((rule) => `${m.propertyName}.${rule}`));
    }
  }
  return rules.sort();
}

/**
 * A short digest of a task's payload rules (its name, parameters and every class-validator constraint), or
 * null when they cannot all be seen. The producer stamps it on each job it validated; a worker whose own
 * digest is the same knows the payload already passed these very rules and skips re-validating it. A job
 * without the stamp, or from code with other rules, is validated again before it runs.
 */
export function payloadSchema(task: AnyTask): string | null {
  let fingerprint = fingerprints.get(task);
  if (fingerprint === undefined) {
    const rules = rulesOf(task.payload, new Set());
    fingerprint = rules
      ? createHash('sha256')
          .update([task.name, task.params.join(','), ...rules].join('\n'))
          .digest('base64url')
          .slice(0, 16)
      : null;
    fingerprints.set(task, fingerprint);
  }
  return fingerprint;
}
