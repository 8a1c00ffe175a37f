/** Keys whose values are secrets wherever they appear in task arguments, results or log fields. */
export const SECRET_KEY_PATTERN =
  /pass(word|wd|phrase)?$|secret|token|api[_-]?key|apikey|authori[sz]ation|credential|private[_-]?key|cookie|session[_-]?id|^auth$/i;

export const REDACTED = '***';

/** The password of a URL such as `smtp://user:pw@host`. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]+@/gi;

/**
 * A copy of a JSON value with secrets replaced: the value of every key that names a secret (password, token,
 * secret, api_key, authorization…), and the password of any URL in a string. What the history stores and the
 * logs print goes through here.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.includes('://') ? value.replace(URL_PASSWORD, `$1${REDACTED}@`) : value;
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      SECRET_KEY_PATTERN.test(key) && item !== null && item !== undefined
        ? REDACTED
        : redactSecrets(item, depth + 1);
  }
  return copy;
}
