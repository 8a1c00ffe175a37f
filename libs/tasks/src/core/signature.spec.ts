import { describe, expect, it } from '@jest/globals';
import { Add } from '../definitions/add.task.js';
import { ALL_TASKS } from '../definitions/index.js';
import { SendEmail } from '../definitions/send-email.task.js';
import { DEFAULT_ROUTES, TaskRouter } from '../queues.js';
import { InvalidOptionError, PayloadValidationError } from './errors.js';
import { payloadSchema } from './payload-schema.js';
import { signature, signatureByName, toJobSpec } from './signature.js';
import { TaskCatalogue } from './task-catalogue.js';
import { idempotentTaskId } from './task-id.js';

const router = new TaskRouter(DEFAULT_ROUTES);
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const context = { route: (name: string) => router.route(name), now: NOW };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('signature → the job BullMQ stores', () => {
  it('routes by the table, stamps the payload rules, and adds no option that equals a default', () => {
    const spec = toJobSpec(signature(Add, { x: 4, y: 4 }), context);
    expect(spec).toEqual({
      queueName: 'default',
      name: 'tasks.add',
      data: { kwargs: { x: 4, y: 4 }, schema: payloadSchema(Add) },
      opts: { jobId: expect.stringMatching(UUID) },
    });
    expect(toJobSpec(signature(SendEmail, { to: 'a@b.cn', subject: 's', body: 'b' }), context)).toMatchObject(
      {
        queueName: 'email',
        opts: { attempts: 4, backoff: { type: 'task' } },
      },
    );
  });

  it('takes the id from the context, else from the idempotency key, else a new one', () => {
    const sig = signature(Add, { x: 1, y: 2 }, { idempotencyKey: 'k-1' });
    expect(toJobSpec(sig, { ...context, id: 'chosen' }).opts.jobId).toBe('chosen');
    expect(toJobSpec(sig, context).opts.jobId).toBe(idempotentTaskId('k-1'));
    const fresh = signature(Add, { x: 1, y: 2 });
    expect(toJobSpec(fresh, context).opts.jobId).not.toBe(toJobSpec(fresh, context).opts.jobId);
  });

  it('turns countdown, eta, priority, queue and expires into the job', () => {
    const spec = toJobSpec(
      signature(Add, { x: 1, y: 2 }, { countdown: 10, priority: 5, queue: 'fast', expires: 60 }),
      context,
    );
    expect(spec).toMatchObject({
      queueName: 'fast',
      data: { expires: NOW + 60_000 },
      opts: { delay: 10_000, priority: 5 },
    });
    const eta = toJobSpec(signature(Add, { x: 1, y: 2 }, { eta: new Date(NOW + 2_500) }), context);
    expect(eta.opts.delay).toBe(2_500);
  });

  it('refuses, naming the option, what BullMQ would refuse or silently change', () => {
    const bad = (options: Parameters<typeof signature>[2]): unknown =>
      toJobSpec(signature(Add, { x: 1, y: 2 }, options), context);
    const option = (options: Parameters<typeof signature>[2]): string => {
      try {
        bad(options);
      } catch (error) {
        if (error instanceof InvalidOptionError) return error.message;
        throw error;
      }
      return 'accepted';
    };
    expect(option({ countdown: 1, eta: new Date(NOW) })).toMatch(/countdown/);
    expect(option({ countdown: -1 })).toMatch(/countdown/);
    expect(option({ priority: 2_097_152 })).toMatch(/priority/);
    expect(option({ priority: 1.5 })).toMatch(/priority/);
    expect(option({ queue: '_hidden' })).toMatch(/queue/);
    expect(option({ expires: -1 })).toMatch(/expires.*past/);
    expect(option({ countdown: 30, expires: 10 })).toMatch(/expires.*before/);
    expect(option({ priority: 2_097_151 })).toBe('accepted');
  });

  it('by name: binds positional args to the declared parameters and validates them', () => {
    const catalogue = new TaskCatalogue(ALL_TASKS);
    expect(signatureByName(catalogue, 'tasks.add', [4], { y: 5 }).payload).toEqual({ x: 4, y: 5 });
    expect(() => signatureByName(catalogue, 'tasks.add', ['four', 5], undefined)).toThrow(
      PayloadValidationError,
    );
  });
});
