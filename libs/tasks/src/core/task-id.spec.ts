import { describe, expect, it } from '@jest/globals';
import { idempotentTaskId, newTaskId } from './task-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('task ids', () => {
  it('are UUIDs, fresh each time', () => {
    expect(newTaskId()).toMatch(UUID);
    expect(newTaskId()).not.toBe(newTaskId());
  });

  it('derive a stable version-5 UUID from an idempotency key', () => {
    const id = idempotentTaskId('order-42');
    expect(id).toMatch(UUID);
    expect(id[14]).toBe('5');
    expect(idempotentTaskId('order-42')).toBe(id);
    expect(idempotentTaskId('order-43')).not.toBe(id);
  });
});
