import { describe, expect, it } from '@jest/globals';
import { Add, LongRunningTask, ProcessData, SendEmail } from '../definitions/index.js';
import { PayloadValidationError } from './errors.js';
import { bindArguments, validatePayload } from './payload.js';

describe('bindArguments', () => {
  it('maps positional args onto the declared parameters in order', () => {
    expect(bindArguments(Add, [4, 5])).toEqual({ x: 4, y: 5 });
  });

  it('merges args and kwargs', () => {
    expect(bindArguments(SendEmail, ['a@b.c'], { subject: 's', body: 'b' })).toEqual({
      to: 'a@b.c',
      subject: 's',
      body: 'b',
    });
  });

  it('refuses too many positional arguments', () => {
    expect(() => bindArguments(Add, [1, 2, 3])).toThrow(
      /takes 2 positional argument\(s\) \(x, y\) but 3 were given/,
    );
  });

  it('refuses a parameter given twice', () => {
    expect(() => bindArguments(Add, [1], { x: 2 })).toThrow(/x: given both in args and in kwargs/);
  });
});

describe('validatePayload', () => {
  it('returns a valid payload unchanged', () => {
    expect(validatePayload(Add, { x: 1, y: 2.5 })).toEqual({ x: 1, y: 2.5 });
  });

  it('names every field at fault', () => {
    try {
      validatePayload(Add, { x: 'one' });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(PayloadValidationError);
      const problems = (error as PayloadValidationError).problems.join('\n');
      expect(problems).toMatch(/^x: /m);
      expect(problems).toMatch(/^y: /m);
    }
  });

  it('refuses unknown parameters by name', () => {
    expect(() => validatePayload(Add, { x: 1, y: 2, z: 3 })).toThrow(/z: unknown parameter/);
  });

  it('does not coerce strings to numbers', () => {
    expect(() => validatePayload(LongRunningTask, { total_steps: '3' })).toThrow(/total_steps/);
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => validatePayload(ProcessData, { data: { when: new Date() } })).toThrow(
      /kwargs\.data\.when is a Date/,
    );
    expect(() => validatePayload(Add, { x: 1, y: undefined })).toThrow(/kwargs\.y is undefined/);
  });

  it('refuses a payload that is not an object', () => {
    expect(() => validatePayload(Add, [1, 2])).toThrow(/payload: must be an object/);
  });
});
