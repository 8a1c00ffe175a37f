import { REDACTED } from '../core/redact.js';

/** Settings whose whole value is a secret (as `shownValue` masks them), e.g. `API_KEYS`, `REDIS_PASSWORD`. */
const SECRET_SETTING = /(KEY|KEYS|PASSWORD|SECRET|TOKEN)$/;
/** The password of a URL such as `smtp://user:pw@host`. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:([^@/?#\s]+)@/i;
/** Shorter values are not scrubbed: they would match ordinary text. */
const MIN_SECRET_LENGTH = 4;

/**
 * The last line of defence: every secret value of the process's settings (API keys, passwords, the password
 * of any URL setting) is replaced in each log line before it is written, whatever wrote it (our code, Nest, a
 * library's error message). Fields we log ourselves are redacted before this; this catches what slips by.
 */
export class SecretScrubber {
  private readonly secrets: string[];

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const found = new Set<string>();
    const add = (value: string): void => {
      if (value.length < MIN_SECRET_LENGTH) return;
      found.add(value);
      // as it appears inside a JSON string
      found.add(JSON.stringify(value).slice(1, -1));
      try {
        found.add(decodeURIComponent(value));
      } catch {
        // not URL-encoded
      }
    };
    for (const [key, value] of Object.entries(env)) {
      if (!value) continue;
      if (SECRET_SETTING.test(key)) value.split(',').forEach((part) => add(part.trim()));
      const password = URL_PASSWORD.exec(value)?.[1];
      if (password) add(password);
    }
    // longest first: a secret containing another is replaced whole
    this.secrets = [...found]
      .filter((s) => s.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.secrets.length === 0;
  }

  scrub(line: string): string {
    for (const secret of this.secrets) {
      if (line.includes(secret)) line = line.split(secret).join(REDACTED);
    }
    return line;
  }
}
