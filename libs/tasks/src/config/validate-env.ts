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

/**
 * Reads the environment into a class-validator settings class (defaults come from the class's initialisers)
 * and fails with every bad key listed. Empty strings count as unset, as most shells and compose files mean them.
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
      errors.map(
        (e) =>
          `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${JSON.stringify(e.value)})`,
      ),
    );
  }
  return settings;
}
