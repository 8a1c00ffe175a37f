import { describe, expect, it } from '@jest/globals';
import { incidentKey, type Incident } from './alert.js';
import { checkAlerts, type AlertInputs, type AlertRules, type TaskFailures } from './alert-rules.js';

const rules: AlertRules = { queueWait: 30, taskFailedQuiet: 300, unattendedAfter: 10 };
const NOW = 1_000_000_000;

/** Runs checks one after another, carrying the state (open incidents, seen counts, pending) between them. */
class Monitor {
  open = new Map<string, Incident>();
  seen = new Map<string, number>();
  pending = new Map<string, number>();
  fired: Incident[] = [];
  resolved: Incident[] = [];

  check(inputs: Partial<AlertInputs> & { now: number }, withRules: AlertRules = rules) {
    const changes = checkAlerts(
      {
        tasks: [],
        queues: [],
        consumed: new Set(),
        ...inputs,
        seen: this.seen,
        open: this.open,
        pendingSince: this.pending,
      },
      withRules,
    );
    for (const incident of [...changes.fired, ...changes.updated]) {
      this.open.set(incidentKey(incident.alert, incident.subject), incident);
    }
    for (const { incident } of changes.resolved)
      this.open.delete(incidentKey(incident.alert, incident.subject));
    this.fired.push(...changes.fired);
    this.resolved.push(...changes.resolved.map((r) => r.incident));
    this.seen = changes.seen;
    this.pending = changes.pendingSince;
    return changes;
  }
}

const failures = (failed: number, lastFailedAt: number, lastSucceededAt = 0): TaskFailures => ({
  name: 'tasks.send',
  failed,
  lastFailedAt,
  lastSucceededAt,
  lastError: 'SMTPError: refused',
});

describe('alert incidents', () => {
  it('task_failed fires once for several failures of the same task, then resolves on its next success', () => {
    const monitor = new Monitor();
    const first = monitor.check({ now: NOW, tasks: [failures(1, NOW - 100)] });
    expect(first.fired).toEqual([
      expect.objectContaining({
        alert: 'task_failed',
        subject: 'tasks.send',
        since: NOW,
        message: 'tasks.send failed: SMTPError: refused',
        details: { failures: 1, error: 'SMTPError: refused' },
      }),
    ]);
    const more = monitor.check({ now: NOW + 2000, tasks: [failures(4, NOW + 1900)] });
    expect(more.fired).toEqual([]);
    expect(more.updated[0]?.details.failures).toBe(4);
    monitor.check({ now: NOW + 4000, tasks: [failures(4, NOW + 1900)] });
    const recovered = monitor.check({ now: NOW + 6000, tasks: [failures(4, NOW + 1900, NOW + 5000)] });
    expect(recovered.resolved.map((r) => r.message)).toEqual(['tasks.send: succeeded again']);
    expect(monitor.fired).toHaveLength(1);
    expect(monitor.resolved).toHaveLength(1);
    expect(monitor.open.size).toBe(0);

    // a new failure after the recovery is a new incident
    const again = monitor.check({ now: NOW + 8000, tasks: [failures(5, NOW + 7000, NOW + 5000)] });
    expect(again.fired).toHaveLength(1);
  });

  it('task_failed resolves after the quiet period without failures', () => {
    const monitor = new Monitor();
    monitor.check({ now: NOW, tasks: [failures(1, NOW)] });
    expect(monitor.check({ now: NOW + 299_000, tasks: [failures(1, NOW)] }).resolved).toEqual([]);
    const quiet = monitor.check({ now: NOW + 300_000, tasks: [failures(1, NOW)] });
    expect(quiet.resolved.map((r) => r.message)).toEqual(['tasks.send: no failure for 300 s']);
    // the same failures do not fire again
    expect(monitor.check({ now: NOW + 302_000, tasks: [failures(1, NOW)] }).fired).toEqual([]);
  });

  it('does not fire for failures older than the quiet period (a monitor that starts late)', () => {
    const monitor = new Monitor();
    expect(monitor.check({ now: NOW, tasks: [failures(7, NOW - 600_000)] }).fired).toEqual([]);
    expect(monitor.seen.get('tasks.send')).toBe(7);
  });

  it('a failure followed by a success before the check fires and resolves at once', () => {
    const changes = new Monitor().check({ now: NOW, tasks: [failures(1, NOW - 500, NOW - 200)] });
    expect(changes.fired).toHaveLength(1);
    expect(changes.resolved).toHaveLength(1);
  });

  it('queue_unattended fires after its grace while tasks wait and no worker consumes, then resolves', () => {
    const monitor = new Monitor();
    const queues = [{ name: 'email', waiting: 3, oldestWaitingAge: 1 }];
    expect(monitor.check({ now: NOW, queues }).fired).toEqual([]);
    expect(monitor.check({ now: NOW + 5000, queues }).fired).toEqual([]);
    const fired = monitor.check({ now: NOW + 10_000, queues });
    expect(fired.fired).toEqual([
      expect.objectContaining({ alert: 'queue_unattended', subject: 'email', details: { waiting: 3 } }),
    ]);
    expect(monitor.check({ now: NOW + 12_000, queues }).fired).toEqual([]);
    const attended = monitor.check({ now: NOW + 14_000, queues, consumed: new Set(['email']) });
    expect(attended.resolved.map((r) => r.incident.alert)).toEqual(['queue_unattended']);
    expect(monitor.fired).toHaveLength(1);
  });

  it('a worker coming back within the grace means no queue_unattended incident', () => {
    const monitor = new Monitor();
    const queues = [{ name: 'email', waiting: 3, oldestWaitingAge: 1 }];
    monitor.check({ now: NOW, queues });
    monitor.check({ now: NOW + 5000, queues, consumed: new Set(['email']) });
    expect(monitor.check({ now: NOW + 11_000, queues }).fired).toEqual([]);
    expect(monitor.fired).toEqual([]);
  });

  it('an empty queue is not unattended', () => {
    const monitor = new Monitor();
    const queues = [{ name: 'email', waiting: 0, oldestWaitingAge: 0 }];
    monitor.check({ now: NOW, queues });
    expect(monitor.check({ now: NOW + 20_000, queues }).fired).toEqual([]);
  });

  it('queue_wait fires once above the threshold and resolves below it; off without a threshold', () => {
    const monitor = new Monitor();
    const attended = new Set(['default']);
    const at = (age: number) => [{ name: 'default', waiting: 1, oldestWaitingAge: age }];
    expect(monitor.check({ now: NOW, queues: at(29), consumed: attended }).fired).toEqual([]);
    expect(monitor.check({ now: NOW + 2000, queues: at(31), consumed: attended }).fired).toEqual([
      expect.objectContaining({ alert: 'queue_wait', subject: 'default' }),
    ]);
    expect(monitor.check({ now: NOW + 4000, queues: at(33), consumed: attended }).fired).toEqual([]);
    const under = monitor.check({ now: NOW + 6000, queues: at(2), consumed: attended });
    expect(under.resolved.map((r) => r.incident.alert)).toEqual(['queue_wait']);

    const off = new Monitor();
    const noThreshold = { ...rules, queueWait: undefined };
    expect(off.check({ now: NOW, queues: at(10_000), consumed: attended }, noThreshold).fired).toEqual([]);
  });

  it('resolves incidents whose queue is gone', () => {
    const monitor = new Monitor();
    monitor.check({
      now: NOW,
      queues: [{ name: 'q', waiting: 1, oldestWaitingAge: 60 }],
      consumed: new Set(['q']),
    });
    expect(monitor.open.size).toBe(1);
    expect(monitor.check({ now: NOW + 2000 }).resolved).toHaveLength(1);
  });

  it('schedule_error fires once while a schedule is in error, and resolves when the error clears', () => {
    const monitor = new Monitor();
    const errors = new Map([['nightly', 'unknown task tasks.gone: no worker knows it']]);
    monitor.check({ now: NOW, scheduleErrors: errors });
    monitor.check({ now: NOW + 2000, scheduleErrors: errors });
    expect(monitor.fired).toEqual([
      expect.objectContaining({
        alert: 'schedule_error',
        subject: 'nightly',
        details: { error: errors.get('nightly') },
      }),
    ]);
    monitor.check({ now: NOW + 4000, scheduleErrors: new Map() });
    expect(monitor.resolved.map((i) => [i.alert, i.subject])).toEqual([['schedule_error', 'nightly']]);
  });
});
