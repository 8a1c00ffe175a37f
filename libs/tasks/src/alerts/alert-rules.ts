import { incidentKey, type AlertKind, type Incident } from './alert.js';

/** Per task name, from the alerts sink: failures for good and when it last failed and succeeded. */
export interface TaskFailures {
  name: string;
  failed: number;
  lastFailedAt: number;
  lastSucceededAt: number;
  lastError?: string;
}

export interface QueueState {
  name: string;
  /** Waiting and prioritized tasks: ready to run, not running. */
  waiting: number;
  oldestWaitingAge: number;
}

export interface AlertRules {
  /** ALERT_QUEUE_WAIT, seconds; undefined: the `queue_wait` alert is off. */
  queueWait?: number;
  /** Seconds without a failure after which a `task_failed` incident resolves on its own. */
  taskFailedQuiet: number;
  /** Seconds a queue must stay unattended before it alerts (a worker restarting is not an incident). */
  unattendedAfter: number;
}

export interface AlertInputs {
  now: number;
  tasks: readonly TaskFailures[];
  /** Per task name, the failures already looked at in an earlier check. */
  seen: ReadonlyMap<string, number>;
  queues: readonly QueueState[];
  /** Queues at least one live worker consumes. */
  consumed: ReadonlySet<string>;
  /** Schedules in an error state (the beats' record): name → why. */
  scheduleErrors?: ReadonlyMap<string, string>;
  /** Open incidents by `incidentKey`. */
  open: ReadonlyMap<string, Incident>;
  /** Conditions that hold but wait for their grace, by `incidentKey`: when each was first seen. */
  pendingSince: ReadonlyMap<string, number>;
}

export interface Resolution {
  incident: Incident;
  message: string;
}

export interface AlertChanges {
  fired: Incident[];
  /** Open incidents whose details changed (more failures): stored, not notified. */
  updated: Incident[];
  resolved: Resolution[];
  /** Failures looked at, per task name, to store for the next check. */
  seen: Map<string, number>;
  pendingSince: Map<string, number>;
}

/**
 * One check of every alert: which incidents fire, which resolve. Pure, so that the incident rules are tested
 * apart from Redis and clocks. An incident fires once, whatever happens while it is open, and resolves once.
 *
 * - `task_failed` (subject: the task name): a failure for good not seen before, recent (within the quiet
 *   period); resolves when the task succeeds after its last failure, or after the quiet period without one.
 * - `queue_unattended` (subject: the queue): tasks waiting and no live worker consuming the queue, for
 *   `unattendedAfter` seconds; resolves when a worker consumes it or nothing waits.
 * - `queue_wait` (subject: the queue): the task next in line has waited more than `queueWait` seconds;
 *   resolves when it is back under.
 * - `schedule_error` (subject: the schedule): it cannot compute its next run, or names a task no worker knows;
 *   resolves when the error clears (fixed, or the schedule removed).
 */
export function checkAlerts(inputs: AlertInputs, rules: AlertRules): AlertChanges {
  const changes: AlertChanges = {
    fired: [],
    updated: [],
    resolved: [],
    seen: new Map(),
    pendingSince: new Map(),
  };
  const still = new Set<string>();
  const open = (alert: AlertKind, subject: string): Incident | undefined =>
    inputs.open.get(incidentKey(alert, subject));
  const fire = (incident: Incident): void => {
    changes.fired.push(incident);
    still.add(incidentKey(incident.alert, incident.subject));
  };

  for (const task of inputs.tasks) {
    changes.seen.set(task.name, task.failed);
    const seen = inputs.seen.get(task.name) ?? 0;
    const recovered = task.lastSucceededAt > task.lastFailedAt;
    const quiet = inputs.now - task.lastFailedAt >= rules.taskFailedQuiet * 1000;
    let incident = open('task_failed', task.name);
    if (!incident && task.failed > seen && !quiet) {
      incident = {
        alert: 'task_failed',
        subject: task.name,
        since: inputs.now,
        message: `${task.name} failed${task.lastError ? `: ${task.lastError}` : ''}`,
        details: { failures: task.failed - seen, ...(task.lastError ? { error: task.lastError } : {}) },
      };
      fire(incident);
    } else if (incident && task.failed > seen) {
      incident = {
        ...incident,
        details: {
          ...incident.details,
          failures: Number(incident.details.failures ?? 0) + task.failed - seen,
          ...(task.lastError ? { error: task.lastError } : {}),
        },
      };
      changes.updated.push(incident);
    }
    if (!incident) continue;
    if (recovered || quiet) {
      const why = recovered ? 'succeeded again' : `no failure for ${rules.taskFailedQuiet} s`;
      changes.resolved.push({ incident, message: `${task.name}: ${why}` });
      still.delete(incidentKey('task_failed', task.name));
    } else still.add(incidentKey('task_failed', task.name));
  }

  for (const queue of inputs.queues) {
    const unattendedKey = incidentKey('queue_unattended', queue.name);
    const unattended = queue.waiting > 0 && !inputs.consumed.has(queue.name);
    if (unattended) {
      const since = inputs.pendingSince.get(unattendedKey) ?? inputs.now;
      if (open('queue_unattended', queue.name)) still.add(unattendedKey);
      else if (inputs.now - since >= rules.unattendedAfter * 1000) {
        fire({
          alert: 'queue_unattended',
          subject: queue.name,
          since: inputs.now,
          message: `queue ${queue.name}: ${queue.waiting} task(s) waiting and no live worker consumes it`,
          details: { waiting: queue.waiting },
        });
      } else changes.pendingSince.set(unattendedKey, since);
    }

    const waitKey = incidentKey('queue_wait', queue.name);
    if (rules.queueWait !== undefined && queue.oldestWaitingAge > rules.queueWait) {
      if (open('queue_wait', queue.name)) still.add(waitKey);
      else {
        fire({
          alert: 'queue_wait',
          subject: queue.name,
          since: inputs.now,
          message: `queue ${queue.name}: the next task has waited ${queue.oldestWaitingAge.toFixed(1)} s (over ${rules.queueWait} s)`,
          details: { waited_s: queue.oldestWaitingAge, threshold_s: rules.queueWait, waiting: queue.waiting },
        });
      }
    }
  }

  for (const [name, error] of inputs.scheduleErrors ?? []) {
    const errorKey = incidentKey('schedule_error', name);
    if (open('schedule_error', name)) still.add(errorKey);
    else {
      fire({
        alert: 'schedule_error',
        subject: name,
        since: inputs.now,
        message: `schedule ${name}: ${error}`,
        details: { error },
      });
    }
  }

  // what no longer holds (a queue emptied, attended, gone; a setting removed) resolves
  for (const [key, incident] of inputs.open) {
    if (still.has(key)) continue;
    if (incident.alert === 'task_failed' && inputs.tasks.some((t) => t.name === incident.subject)) continue;
    changes.resolved.push({ incident, message: resolvedMessage(incident) });
  }
  return changes;
}

function resolvedMessage(incident: Incident): string {
  switch (incident.alert) {
    case 'queue_unattended':
      return `queue ${incident.subject}: consumed again, or nothing waits`;
    case 'queue_wait':
      return `queue ${incident.subject}: waiting time back under the threshold`;
    case 'schedule_error':
      return `schedule ${incident.subject}: error cleared`;
    default:
      return `${incident.subject}: resolved`;
  }
}
