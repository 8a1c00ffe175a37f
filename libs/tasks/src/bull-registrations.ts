import { BullModule, getFlowProducerToken, getQueueToken } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EventEmitter } from 'node:events';
import type { TasksConfig } from './config/tasks.config.js';
import { DEFAULT_ROUTES, parseRoutes, TaskRouter, type Route } from './queues.js';
import { PRODUCER_REDIS, REGISTERED_QUEUES, TASKS_CONFIG } from './tokens.js';

/** The flow producer's name: `@InjectFlowProducer(WORKFLOWS_FLOW_PRODUCER)`. */
export const WORKFLOWS_FLOW_PRODUCER = 'workflows';

/**
 * The queues known when the module is defined (Nest needs injection tokens before settings are read): the
 * routing table's, parsed from `TASK_ROUTES` by the same function as `tasksConfig`, plus `extra` (a worker's
 * `--queues`). A bad `TASK_ROUTES` falls back to the default table here; the settings check refuses it at boot.
 */
export function configuredQueueNames(
  extra: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  let routes: Route[];
  try {
    routes = parseRoutes(env.TASK_ROUTES);
  } catch {
    routes = [...DEFAULT_ROUTES];
  }
  return [...new Set([...new TaskRouter(routes).knownQueues(), ...extra])];
}

/**
 * BullModule adds a shutdown hook to each queue and flow producer it makes: ours close them instead, once.
 * And their connection's errors are logged (throttled) by the connection's provider: not once more per
 * instance (an `error` event without a listener is printed whole by BullMQ, at every reconnect attempt).
 */
function takeOver(instance: Queue | FlowProducer): void {
  delete (instance as { onApplicationShutdown?: unknown }).onApplicationShutdown;
  (instance as EventEmitter).on('error', () => undefined);
}

/**
 * Closes the flow producer after what uses it (Nest runs shutdown hooks dependents first), not before the
 * worker's warm shutdown as BullModule's own module would; and without BullModule's `disconnect()` after
 * `close()` (its default for flow producers), which would drop the shared producer connection.
 */
@Injectable()
export class FlowProducerCloser implements OnApplicationShutdown {
  constructor(@Inject(getFlowProducerToken(WORKFLOWS_FLOW_PRODUCER)) private readonly flows: FlowProducer) {
    takeOver(flows);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flows.close();
  }
}

/**
 * `@nestjs/bullmq`'s registrations over our connection: one `Queue` per configured name and the flow
 * producer, by injection token (`@InjectQueue('default')`, `@InjectFlowProducer('workflows')`), over the
 * producer's shared fail-fast connection. `QueueRegistry` hands out these same instances and closes them.
 */
export function bullRegistrations(names: readonly string[]): {
  imports: DynamicModule[];
  providers: Provider[];
  exports: DynamicModule[];
} {
  const queues = BullModule.registerQueue(...names.map((name) => ({ name })));
  const flows = BullModule.registerFlowProducer({ name: WORKFLOWS_FLOW_PRODUCER });
  return {
    imports: [
      // TASKS_CONFIG and PRODUCER_REDIS come from TasksModule, which is global
      BullModule.forRootAsync({
        inject: [TASKS_CONFIG, PRODUCER_REDIS],
        useFactory: (config: TasksConfig, redis: Redis) => ({ connection: redis, prefix: config.prefix }),
      }),
      queues,
      flows,
    ],
    providers: [
      {
        provide: REGISTERED_QUEUES,
        inject: names.map((name) => getQueueToken(name)),
        useFactory: (...registered: Queue[]): ReadonlyMap<string, Queue> => {
          registered.forEach(takeOver);
          return new Map(names.map((name, i) => [name, registered[i]]));
        },
      },
      FlowProducerCloser,
    ],
    // re-exported by the global TasksModule, so that any module can inject them
    exports: [queues, flows],
  };
}
