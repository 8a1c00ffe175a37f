import { describe, expect, it } from '@jest/globals';
import { TaskCatalogue } from '../../core/task-catalogue.js';
import { ALL_TASKS } from '../../definitions/index.js';
import { LazyAbort } from './lazy-abort.js';
import { SplitExecutor } from './split-executor.js';
import type { ExecutionRequest, ExecutorStats, TaskExecutor } from './task-executor.js';

/** Records what it is asked; `runs` holds the ids it treats as its own. */
class RecordingExecutor implements TaskExecutor {
  readonly executed: string[] = [];
  readonly aborted: string[] = [];
  readonly runs = new Set<string>();

  constructor(private readonly kind: ExecutorStats['kind']) {}

  start = (): Promise<void> => Promise.resolve();
  close = (): Promise<void> => Promise.resolve();
  execute(request: ExecutionRequest): Promise<unknown> {
    this.executed.push(request.name);
    this.runs.add(request.id);
    return Promise.resolve(this.kind);
  }
  abort(id: string): void {
    if (this.runs.has(id)) this.aborted.push(id);
  }
  kill(id: string): boolean {
    return this.kind === 'threads' && this.runs.has(id);
  }
  registered = (): string[] => ['tasks.add'];
  stats = (): ExecutorStats => ({
    kind: this.kind,
    size: this.kind === 'threads' ? 2 : 0,
    running: this.runs.size,
    replaced: 0,
    threads: [],
  });
}

const request = (id: string, name: string): ExecutionRequest => ({
  id,
  name,
  queue: 'default',
  payload: {},
  retries: 0,
  maxRetries: 0,
});

describe('SplitExecutor', () => {
  const setup = () => {
    const threads = new RecordingExecutor('threads');
    const inline = new RecordingExecutor('inline');
    return { threads, inline, split: new SplitExecutor(new TaskCatalogue(ALL_TASKS), threads, inline) };
  };
  const callbacks = { onProgress: () => Promise.resolve(), abort: new LazyAbort(), onStart: () => undefined };

  it('runs tasks declared isolation none inline and every other task in the threads', async () => {
    const { threads, inline, split } = setup();
    expect(await split.execute(request('1', 'tasks.add'), callbacks)).toBe('inline');
    expect(await split.execute(request('2', 'tasks.cpu_burn'), callbacks)).toBe('threads');
    expect(await split.execute(request('3', 'tasks.embedding.vectorize'), callbacks)).toBe('threads');
    expect(await split.execute(request('4', 'tasks.email.send_email'), callbacks)).toBe('inline');
    expect(inline.executed).toEqual(['tasks.add', 'tasks.email.send_email']);
    expect(threads.executed).toEqual(['tasks.cpu_burn', 'tasks.embedding.vectorize']);
  });

  it('sends stops to whichever side runs the task, and kills only in threads', async () => {
    const { threads, inline, split } = setup();
    await split.execute(request('a', 'tasks.add'), callbacks);
    await split.execute(request('b', 'tasks.cpu_burn'), callbacks);
    split.abort('a', new Error('stop'));
    split.abort('b', new Error('stop'));
    expect(inline.aborted).toEqual(['a']);
    expect(threads.aborted).toEqual(['b']);
    expect(split.kill('b', new Error('hard'))).toBe(true);
    expect(split.kill('a', new Error('hard'))).toBe(false);
  });

  it('reports the thread pool, counting tasks running on either side', async () => {
    const { split } = setup();
    await split.execute(request('a', 'tasks.add'), callbacks);
    await split.execute(request('b', 'tasks.cpu_burn'), callbacks);
    expect(split.stats()).toMatchObject({ kind: 'threads', size: 2, running: 2 });
  });
});
