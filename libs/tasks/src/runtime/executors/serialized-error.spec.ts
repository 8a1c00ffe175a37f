import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { PermanentTaskError, RetryTaskError, SoftTimeLimitExceeded } from '../../core/errors.js';
import { deserializeError, serializeError, type SerializedError } from './serialized-error.js';

const roundTrip = (error: unknown): Error =>
  deserializeError(JSON.parse(JSON.stringify(serializeError(error))) as SerializedError);

describe('errors crossing from an executor thread', () => {
  it('keep permanence, so BullMQ still skips the remaining attempts', () => {
    const back = roundTrip(new PermanentTaskError('missing row'));
    expect(back).toBeInstanceOf(UnrecoverableError);
    expect(back.message).toBe('missing row');
    expect(back.name).toBe('PermanentTaskError');
    expect(roundTrip(new SoftTimeLimitExceeded(2))).toBeInstanceOf(UnrecoverableError);
  });

  it('keep a retry request and its countdown', () => {
    const back = roundTrip(new RetryTaskError(7));
    expect(back).toBeInstanceOf(RetryTaskError);
    expect((back as RetryTaskError).countdown).toBe(7);
  });

  it('leave ordinary errors retryable', () => {
    const back = roundTrip(new TypeError('boom'));
    expect(back).not.toBeInstanceOf(UnrecoverableError);
    expect(back).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(roundTrip('a string').message).toBe('a string');
  });
});
