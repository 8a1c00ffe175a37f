import { REDACTED, SECRET_KEY_PATTERN } from '../core/redact.js';

/** A request URL as an access line shows it: the values of secret query parameters (`?api_key=…`) replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (SECRET_KEY_PATTERN.test(key)) {
      params.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}
