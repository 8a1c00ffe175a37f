import { InvalidSettingsError } from '@app/config';

/** The queues of the original system. Any other valid name may be used through routing or the `queue` option. */
export const QueueName = {
  Default: 'default',
  Embedding: 'embedding',
  Email: 'email',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Queue names are used inside Redis keys: keep them short and free of `:`. Names starting with `_` are ours. */
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface Route {
  /** A task-name glob: `*` matches any run of characters, e.g. `tasks.embedding.*`. */
  pattern: string;
  queue: string;
}

/** The seed's routing table: `tasks.embedding.*` → embedding, `tasks.email.*` → email, all else → default. */
export const DEFAULT_ROUTES: readonly Route[] = [
  { pattern: 'tasks.embedding.*', queue: QueueName.Embedding },
  { pattern: 'tasks.email.*', queue: QueueName.Email },
];

/** Parses `TASK_ROUTES` (`pattern=queue,pattern=queue`); unset means the default table. */
export function parseRoutes(spec: string | undefined): Route[] {
  if (spec === undefined || spec.trim() === '') return [...DEFAULT_ROUTES];
  const problems: string[] = [];
  const routes = spec
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const [pattern, queue, ...rest] = pair.split('=').map((part) => part.trim());
      if (!pattern || !queue || rest.length > 0 || !QUEUE_NAME_PATTERN.test(queue)) {
        problems.push(`TASK_ROUTES: "${pair}" is not pattern=queue with a valid queue name`);
      }
      return { pattern: pattern ?? '', queue: queue ?? '' };
    });
  if (problems.length) throw new InvalidSettingsError(problems);
  return routes;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Picks a task's queue: the first matching route wins, else `default`. */
export class TaskRouter {
  private readonly compiled: { test: RegExp; queue: string }[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((r) => ({ test: globToRegExp(r.pattern), queue: r.queue }));
  }

  route(taskName: string): string {
    return this.compiled.find((r) => r.test.test(taskName))?.queue ?? QueueName.Default;
  }

  /** Every queue the table can send to, default included. */
  knownQueues(): string[] {
    return [...new Set<string>([QueueName.Default, ...this.compiled.map((r) => r.queue)])];
  }
}
