import { describe, expect, it } from '@jest/globals';
import { InvalidSettingsError } from '@app/config';
import { parseRoutes, TaskRouter } from './queues.js';

describe(TaskRouter.name, () => {
  const router = new TaskRouter(parseRoutes(undefined));

  it('routes by the seed table: embedding, email, else default', () => {
    expect(router.route('tasks.embedding.vectorize')).toBe('embedding');
    expect(router.route('tasks.email.send_email')).toBe('email');
    expect(router.route('tasks.add')).toBe('default');
    expect(router.route('tasks.emailer')).toBe('default');
  });

  it('takes the first matching route of a configured table', () => {
    const custom = new TaskRouter(parseRoutes('tasks.add=math, tasks.*=bulk'));
    expect(custom.route('tasks.add')).toBe('math');
    expect(custom.route('tasks.xsum')).toBe('bulk');
    expect(custom.route('other')).toBe('default');
    expect(custom.knownQueues().sort()).toEqual(['bulk', 'default', 'math']);
  });

  it('refuses a malformed table, naming the bad pair', () => {
    expect(() => parseRoutes('tasks.add')).toThrow(InvalidSettingsError);
    expect(() => parseRoutes('tasks.add=bad:queue')).toThrow(/"tasks.add=bad:queue"/);
  });
});
