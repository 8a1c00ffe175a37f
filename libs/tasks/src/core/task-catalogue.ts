import type { AnyTask } from './define-task.js';
import { UnknownTaskError } from './errors.js';

/** Every registered task, by wire name. Built once from `ALL_TASKS`; refuses duplicate names. */
export class TaskCatalogue {
  private readonly byName = new Map<string, AnyTask>();

  constructor(tasks: readonly AnyTask[]) {
    for (const task of tasks) {
      if (this.byName.has(task.name)) throw new Error(`Task ${task.name} is declared twice`);
      this.byName.set(task.name, task);
    }
  }

  get(name: string): AnyTask {
    const task = this.byName.get(name);
    if (!task) throw new UnknownTaskError(name);
    return task;
  }

  find(name: string): AnyTask | undefined {
    return this.byName.get(name);
  }

  all(): AnyTask[] {
    return [...this.byName.values()];
  }
}
