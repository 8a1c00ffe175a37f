import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { providerMethods } from '@app/tasks';
import {
  DEFAULT_CATCHUP,
  DEFAULT_OVERLAP,
  checkDefinition,
  type ScheduleDefinition,
} from './schedule-definition.js';
import { PERIODIC, type PeriodicOptions, type SignatureFactory } from './periodic.decorator.js';

/** Every `@Periodic` method of every provider, as schedule definitions (each checked: a bad one fails start-up). */
@Injectable()
export class DeclaredSchedules {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  find(defaultTimezone: string): ScheduleDefinition[] {
    const found: ScheduleDefinition[] = [];
    for (const { instance, method } of providerMethods(this.discovery, this.scanner)) {
      const options = this.reflector.get<PeriodicOptions | undefined>(PERIODIC, method);
      if (!options) continue;
      const sig = (method as SignatureFactory).call(instance);
      const d: ScheduleDefinition = {
        name: options.name,
        task: sig.task.name,
        kwargs: { ...(sig.payload as Record<string, unknown>) },
        ...(options.cron !== undefined ? { cron: options.cron } : { every: options.every }),
        timezone: options.timezone ?? defaultTimezone,
        options: {
          ...(sig.options.queue !== undefined ? { queue: sig.options.queue } : {}),
          ...(sig.options.priority !== undefined ? { priority: sig.options.priority } : {}),
          ...(typeof sig.options.expires === 'number' ? { expires: sig.options.expires } : {}),
        },
        overlap: options.overlap ?? DEFAULT_OVERLAP,
        catchup: options.catchup ?? DEFAULT_CATCHUP,
      };
      checkDefinition(d);
      if (found.some((other) => other.name === d.name)) {
        throw new Error(`Schedule ${d.name} is declared twice`);
      }
      found.push(d);
    }
    return found;
  }
}
