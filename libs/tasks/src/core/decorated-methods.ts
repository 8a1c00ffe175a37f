import type { DiscoveryService, MetadataScanner } from '@nestjs/core';

/** One method of a provider instance, as found by `providerMethods`. */
export interface ProviderMethod {
  instance: object;
  key: string;
  method: (...args: unknown[]) => unknown;
  /** `Class.method`, for messages. */
  where: string;
}

/**
 * Every method of every provider instance of the application: where decorators such as `@HandlesTask`
 * and `@Periodic` are looked for (their metadata read with `Reflector` by the caller).
 */
export function* providerMethods(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
): Generator<ProviderMethod> {
  for (const wrapper of discovery.getProviders()) {
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const key of scanner.getAllMethodNames(prototype)) {
      const method = (instance as Record<string, unknown>)[key];
      if (typeof method !== 'function') continue;
      yield {
        instance,
        key,
        method: method as ProviderMethod['method'],
        where: `${instance.constructor.name}.${key}`,
      };
    }
  }
}
