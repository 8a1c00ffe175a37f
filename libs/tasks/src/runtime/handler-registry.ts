import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { providerMethods } from '../core/decorated-methods.js';
import type { AnyTask } from '../core/define-task.js';
import {
  TASK_HANDLER,
  TASK_HOOK,
  type TaskEventInfo,
  type TaskHookMetadata,
  type TaskOutcome,
} from '../core/decorators.js';
import type { TaskContext } from '../core/task-context.js';
import { TaskCatalogue } from '../core/task-catalogue.js';

export interface BoundHandler {
  task: AnyTask;
  /** `Class.method`, for messages. */
  where: string;
  call(payload: object, ctx: TaskContext): unknown;
}

type Hook = (info: TaskEventInfo) => unknown;

/** Thrown at worker start-up: a task without a handler, with two, or a handler for an undeclared task. */
export class HandlerRegistrationError extends Error {
  constructor(problems: string[]) {
    super(`Task handlers do not match the task catalogue:\n  - ${problems.join('\n  - ')}`);
    this.name = 'HandlerRegistrationError';
  }
}

/**
 * Finds every `@HandlesTask` method and lifecycle hook among the worker's providers at start-up, and refuses
 * to start unless each declared task has exactly one handler.
 */
@Injectable()
export class HandlerRegistry implements OnModuleInit {
  private readonly logger = new Logger(HandlerRegistry.name);
  private readonly handlers = new Map<string, BoundHandler>();
  private readonly hooks: Record<TaskOutcome, { task?: AnyTask; hook: Hook }[]> = {
    success: [],
    failure: [],
    retry: [],
  };

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly catalogue: TaskCatalogue,
  ) {}

  onModuleInit(): void {
    const problems: string[] = [];
    for (const { instance, method, where } of providerMethods(this.discovery, this.scanner)) {
      const task = this.reflector.get<AnyTask | undefined>(TASK_HANDLER, method);
      if (task) this.addHandler(task, where, method.bind(instance), problems);
      const hook = this.reflector.get<TaskHookMetadata | undefined>(TASK_HOOK, method);
      if (hook) this.hooks[hook.outcome].push({ task: hook.task, hook: method.bind(instance) });
    }
    for (const task of this.catalogue.all()) {
      if (!this.handlers.has(task.name)) problems.push(`${task.name} has no @HandlesTask handler`);
    }
    if (problems.length) throw new HandlerRegistrationError(problems);
  }

  private addHandler(task: AnyTask, where: string, call: BoundHandler['call'], problems: string[]): void {
    if (this.catalogue.find(task.name) !== task) {
      problems.push(`${where} handles ${task.name}, which is not in the task catalogue`);
      return;
    }
    const existing = this.handlers.get(task.name);
    if (existing) {
      problems.push(`${task.name} has two handlers: ${existing.where} and ${where}`);
      return;
    }
    this.handlers.set(task.name, { task, where, call });
  }

  get(name: string): BoundHandler | undefined {
    return this.handlers.get(name);
  }

  names(): string[] {
    return [...this.handlers.keys()].sort();
  }

  hasHooks(outcome: TaskOutcome): boolean {
    return this.hooks[outcome].length > 0;
  }

  /** Runs the hooks for one outcome; a hook that throws is logged and never changes the task's outcome. */
  async runHooks(outcome: TaskOutcome, info: TaskEventInfo): Promise<void> {
    for (const { task, hook } of this.hooks[outcome]) {
      if (task && task.name !== info.name) continue;
      try {
        await hook(info);
      } catch (error) {
        this.logger.error(`on ${outcome} hook for ${info.name} (${info.id}) failed: ${String(error)}`);
      }
    }
  }
}
