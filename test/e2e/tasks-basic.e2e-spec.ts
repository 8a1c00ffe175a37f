import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestSystem } from '../utils/test-system.js';

describe('submit → Redis → worker → state', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
    await system.startWorker(['--concurrency', '4']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('runs tasks.add from positional args and reports SUCCESS with the result', async () => {
    const submitted = await system.submit('tasks.add', { args: [4, 4] });
    expect(submitted.status).toBe(202);
    expect(submitted.body.status_url).toBe(`/tasks/${submitted.body.task_id}`);
    const done = await system.waitForState(submitted.body.task_id, 'SUCCESS');
    expect(done).toMatchObject({
      task_id: submitted.body.task_id,
      state: 'SUCCESS',
      result: 8,
      name: 'tasks.add',
      queue: 'default',
      retries: 0,
    });
    expect(Date.parse(done.date_done ?? '')).not.toBeNaN();
  });

  it('maps kwargs by parameter name', async () => {
    const submitted = await system.submit('tasks.process_data', { kwargs: { data: { a: 1, b: 2, c: 3 } } });
    const done = await system.waitForState(submitted.body.task_id, 'SUCCESS');
    expect(done.result).toEqual({ processed: true, count: 3 });
  });

  it('answers 404 for an unknown task id instead of PENDING forever', async () => {
    const answer = await system.status('00000000-0000-4000-8000-000000000000');
    expect(answer.status).toBe(404);
  });
});
