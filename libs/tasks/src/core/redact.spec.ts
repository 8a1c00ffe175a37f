import { describe, expect, it } from '@jest/globals';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('masks secret keys at any depth and URL passwords, and keeps the rest', () => {
    const input = {
      to: 'a@b.c',
      password: 'hunter2',
      nested: { api_key: 'k-1', apiKey: 'k-2', Authorization: 'Bearer x', list: [{ token: 't' }, 'plain'] },
      smtp: 'smtp://user:s3cret@mail.local:25',
      keyboard: 'not a secret',
      count: 3,
    };
    expect(redactSecrets(input)).toEqual({
      to: 'a@b.c',
      password: '***',
      nested: { api_key: '***', apiKey: '***', Authorization: '***', list: [{ token: '***' }, 'plain'] },
      smtp: 'smtp://user:***@mail.local:25',
      keyboard: 'not a secret',
      count: 3,
    });
    expect(input.password).toBe('hunter2');
  });
});
