import { redactSecrets } from '../core/redact.js';

/** Longest result preview on a `succeeded` line, in characters. */
export const PREVIEW_MAX_CHARS = 200;

/** A result as a log line shows it: JSON, secrets redacted, cut to `max` characters (marked with …). */
export function preview(value: unknown, max = PREVIEW_MAX_CHARS): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  // undefined for a function or a symbol
  const json = JSON.stringify(redactSecrets(value)) ?? typeof value;
  return json.length > max ? `${json.slice(0, max - 1)}…` : json;
}

/** An error message or stack with the password of any URL in it replaced. */
export function redactText(text: string): string {
  return redactSecrets(text) as string;
}
