import { describe, expect, it } from '@jest/globals';
import { checkDefinition, type ScheduleDefinition } from './schedule-definition.js';

const base: ScheduleDefinition = {
  name: 'nightly',
  task: 'tasks.add',
  kwargs: { x: 1, y: 2 },
  cron: '0 3 * * *',
  timezone: 'Asia/Shanghai',
  options: {},
  overlap: 'skip',
  catchup: 0,
};

/** The field named by the error `checkDefinition` throws, or undefined when it accepts. */
function fieldAtFault(change: Partial<ScheduleDefinition> & Record<string, unknown>): string | undefined {
  try {
    checkDefinition({ ...base, ...change });
    return undefined;
  } catch (error) {
    return (error as Error).message.split(':')[0];
  }
}

describe(checkDefinition.name, () => {
  it('accepts crontabs (5 or 6 fields) and whole-second intervals', () => {
    expect(fieldAtFault({})).toBeUndefined();
    expect(fieldAtFault({ cron: '*/10 * * * * *' })).toBeUndefined();
    expect(fieldAtFault({ cron: undefined, every: 1 })).toBeUndefined();
    expect(fieldAtFault({ options: { queue: 'email', priority: 3, expires: 60 } })).toBeUndefined();
  });

  it('names the field at fault', () => {
    expect(fieldAtFault({ name: '' })).toBe('name');
    expect(fieldAtFault({ name: 'a b' })).toBe('name');
    expect(fieldAtFault({ cron: '61 * * * *' })).toBe('cron');
    expect(fieldAtFault({ cron: '0 0 30 2 *' })).toBe('cron');
    expect(fieldAtFault({ every: 5 })).toBe('cron');
    expect(fieldAtFault({ cron: undefined })).toBe('cron');
    expect(fieldAtFault({ cron: undefined, every: 0 })).toBe('every');
    expect(fieldAtFault({ cron: undefined, every: 1.5 })).toBe('every');
    expect(fieldAtFault({ timezone: 'Asia/Atlantis' })).toBe('timezone');
    expect(fieldAtFault({ overlap: 'sometimes' as never })).toBe('overlap');
    expect(fieldAtFault({ catchup: -1 })).toBe('catchup');
    expect(fieldAtFault({ options: { color: 'red' } as never })).toBe('options.color');
    expect(fieldAtFault({ options: { queue: 42 } as never })).toBe('options.queue');
    expect(fieldAtFault({ options: { priority: -1 } })).toBe('options.priority');
    expect(fieldAtFault({ options: { expires: 0 } })).toBe('options.expires');
  });
});
