import { describe, expect, it } from '@jest/globals';
import { describeJob, type JobSnapshot } from './job-status.js';

const job = (over: Partial<JobSnapshot> = {}): JobSnapshot => ({
  id: 'a1',
  name: 'tasks.add',
  queueName: 'default',
  data: { kwargs: { x: 1, y: 2 } },
  progress: 0,
  returnvalue: undefined,
  attemptsMade: 0,
  timestamp: 1_000,
  delay: 0,
  ...over,
});

describe(describeJob.name, () => {
  it('reads waiting as PENDING with the original status text', () => {
    expect(describeJob(job(), 'waiting', false)).toEqual({
      task_id: 'a1',
      state: 'PENDING',
      status: 'Pending...',
      name: 'tasks.add',
      queue: 'default',
      retries: 0,
    });
  });

  it('reads a delayed first attempt as SCHEDULED with its eta, and a delayed retry as RETRY', () => {
    expect(describeJob(job({ delay: 10_000 }), 'delayed', false)).toMatchObject({
      state: 'SCHEDULED',
      eta: new Date(11_000).toISOString(),
    });
    expect(describeJob(job({ attemptsMade: 2 }), 'delayed', false)).toMatchObject({
      state: 'RETRY',
      retries: 2,
    });
  });

  it('reads an active task with progress as PROGRESS with current, total and percent', () => {
    const progress = { current: 1, total: 4, percent: 25 };
    expect(describeJob(job({ progress }), 'active', false)).toMatchObject({ state: 'PROGRESS', ...progress });
    expect(describeJob(job(), 'active', false).state).toBe('STARTED');
  });

  it('reads completed as SUCCESS with the result, ignoring an earlier attempt’s failure reason', () => {
    const status = describeJob(
      job({ returnvalue: 3, failedReason: 'boom', attemptsMade: 3, finishedOn: 5_000 }),
      'completed',
      false,
    );
    expect(status).toMatchObject({
      state: 'SUCCESS',
      result: 3,
      retries: 2,
      date_done: new Date(5_000).toISOString(),
    });
    expect(status.error).toBeUndefined();
  });

  it('reads failed as FAILURE with the error, and a revoked failure as REVOKED', () => {
    expect(describeJob(job({ failedReason: 'boom', attemptsMade: 1 }), 'failed', false)).toMatchObject({
      state: 'FAILURE',
      error: 'boom',
      retries: 0,
    });
    expect(describeJob(job({ failedReason: 'REVOKED: terminated' }), 'failed', false).state).toBe('REVOKED');
  });

  it('reads a waiting task that is marked revoked, or past its expiry, as REVOKED', () => {
    expect(describeJob(job(), 'waiting', true).state).toBe('REVOKED');
    expect(describeJob(job({ data: { kwargs: {}, expires: 500 } }), 'waiting', false, 1_000).state).toBe(
      'REVOKED',
    );
    expect(describeJob(job({ data: { kwargs: {}, expires: 5_000 } }), 'waiting', false, 1_000).state).toBe(
      'PENDING',
    );
  });

  it('keeps a running task STARTED when revoked without terminate (as Celery does)', () => {
    expect(describeJob(job(), 'active', true).state).toBe('STARTED');
  });
});

describe('describeJob: a task the worker refuses as it starts', () => {
  const started = 10_000;

  it('reads REVOKED, not STARTED, when revoked before this run began', () => {
    expect(describeJob(job({ processedOn: started }), 'active', started - 5_000).state).toBe('REVOKED');
  });

  it('reads REVOKED, not STARTED, when it expired before this run began', () => {
    const expired = job({ processedOn: started, data: { kwargs: {}, expires: started - 1 } });
    expect(describeJob(expired, 'active', false, started).state).toBe('REVOKED');
  });

  it('keeps its running state when revoked after this run began', () => {
    const running = job({ processedOn: started, progress: { current: 1, total: 3, percent: 33.3 } });
    expect(describeJob(running, 'active', started + 1_000).state).toBe('PROGRESS');
    expect(describeJob(job({ processedOn: started }), 'active', started + 1_000).state).toBe('STARTED');
  });

  it('reads a waiting task REVOKED whether the mark is a boolean or a time', () => {
    expect(describeJob(job(), 'waiting', 500, 1_000).state).toBe('REVOKED');
  });
});
