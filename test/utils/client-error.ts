import { expect } from '@jest/globals';
import type { HttpAnswer } from './test-system.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

/** The error message as one string, whether the API answered one message or a list. */
export const messageOf = (answer: HttpAnswer): string => {
  const message = (answer.body as Partial<ErrorBody> | undefined)?.message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? '');
};

/** Asserts a client error (never a 500) whose JSON body says what went wrong and names `pattern`. */
export function expectClientError(answer: HttpAnswer, status: number, pattern: RegExp): void {
  const context = `${answer.status} ${JSON.stringify(answer.body)}`;
  expect(`${answer.status}`).toBe(`${status}`);
  expect(answer.headers.get('content-type') ?? context).toMatch(/application\/json/);
  expect(answer.body).toMatchObject({ statusCode: status });
  expect(messageOf(answer)).toMatch(pattern);
}
