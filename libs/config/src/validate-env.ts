import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

type Constructor<T> = new () => T;

/** Thrown at boot when one or more settings are invalid; the message lists every bad key. */
export class InvalidSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidSettingsError';
  }
}

/** Keys whose whole value is a secret: shown masked in error messages. */
const SECRET_KEY = /(KEY|KEYS|PASSWORD|SECRET|TOKEN)$/;

/**
 * A setting's value as given, for an error message: JSON-quoted, secrets masked (the whole value of a key,
 * password or token; the password of a URL such as `redis://:pw@host`).
 */
export function shownValue(key: string, value: string | undefined): string {
  if (value === undefined) return 'unset';
  if (SECRET_KEY.test(key)) return '"***"';
  return JSON.stringify(value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i, '$1***@'));
}

/** One problem line: the key, what is expected, and the value given. */
export function settingProblem(key: string, expected: string, env: NodeJS.ProcessEnv): string {
  return `${key}: ${expected} (got ${shownValue(key, env[key])})`;
}

/**
 * What a key's failed rules expect, in the order they were declared ("must be an integer number; must not
 * be less than 0; …"), without class-validator's repetition of the key in each.
 */
function expectation(key: string, constraints: Record<string, string> = {}): string {
  return Object.values(constraints)
    .reverse()
    .map((message) => (message.startsWith(`${key} `) ? message.slice(key.length + 1) : message))
    .join('; ');
}

/**
 * Reads the environment into a class-validator settings class (defaults come from the class's initialisers)
 * and fails with every bad key listed, each with the value given (not the converted one: `PORT=abc` shows
 * "abc", not NaN). Empty strings count as unset, as most shells and compose files mean them.
 */
export function validateEnv<T extends object>(
  settingsClass: Constructor<T>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const settings = plainToInstance(settingsClass, defined, {
    enableImplicitConversion: true,
    excludeExtraneousValues: false,
  });
  const errors = validateSync(settings, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    throw new InvalidSettingsError(
      errors.map((e) => settingProblem(e.property, expectation(e.property, e.constraints), defined)),
    );
  }
  return settings;
}

/** Reads one group of settings from the environment; throws `InvalidSettingsError` on bad values. */
export type SettingsLoader = (env: NodeJS.ProcessEnv) => unknown;

/**
 * Checks every group of settings a process uses in one pass, before anything starts, so that one message
 * lists every bad key of every group (one group failing does not hide the others).
 */
export function checkSettings(
  loaders: readonly SettingsLoader[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  const problems: string[] = [];
  for (const load of loaders) {
    try {
      load(env);
    } catch (error) {
      if (!(error instanceof InvalidSettingsError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InvalidSettingsError(problems);
}

/**
 * What a process prints when it cannot start: bad settings as their message alone (the fix is in the
 * environment, a stack trace would only hide it), anything else with its stack.
 */
export function startupFailure(error: unknown): string {
  if (error instanceof InvalidSettingsError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
