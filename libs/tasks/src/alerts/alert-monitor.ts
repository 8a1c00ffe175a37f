import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import { QueueObserver } from '../metrics/queue-observer.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { incidentKey, type AlertNotice, type Incident } from './alert.js';
import { AlertLease } from './alert-lease.js';
import { checkAlerts, type AlertChanges, type AlertRules } from './alert-rules.js';
import { ALERTS_CONFIG, type AlertsConfig } from './alerts.config.js';
import { parseTaskFailures } from './task-failures.js';

/** Seconds between checks. */
export const ALERT_CHECK_MS = 2_000;
/** Seconds a queue stays unattended before it alerts: longer than a worker's restart. */
const UNATTENDED_AFTER_S = 10;
/** Notices kept for the webhook while it is away; the oldest are dropped past this. */
export const OUTBOX_MAX = 1_000;

/**
 * Checks the alerts every few seconds in one process at a time (`AlertLease`), from the alerts sink's
 * failure record, the queues and the heartbeats; incidents live in Redis, so a process that takes the lease
 * over neither fires an open incident again nor forgets one. Each firing and resolution is logged, counted,
 * and queued for ALERT_WEBHOOK_URL (`AlertNotifier` delivers it) in the same transaction as the incident.
 */
@Injectable()
export class AlertMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private readonly keys: ReturnType<typeof ownKeys>;
  private readonly rules: AlertRules;
  private pendingSince = new Map<string, number>();
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    @Inject(TASKS_CONFIG) config: TasksConfig,
    @Inject(ALERTS_CONFIG) private readonly alerts: AlertsConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly lease: AlertLease,
    private readonly observer: QueueObserver,
  ) {
    this.keys = ownKeys(config.prefix);
    this.rules = {
      queueWait: alerts.queueWait,
      taskFailedQuiet: alerts.taskFailedQuiet,
      unattendedAfter: UNATTENDED_AFTER_S,
    };
  }

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  /**
   * Not awaited: a worker's warm shutdown (another module's hook) must not wait behind a check; the lease is
   * handed back once the check in flight ends, or lapses by itself if the connection has closed by then.
   */
  onApplicationShutdown(): void {
    this.stopping.abort();
    void this.running?.then(() => this.lease.release());
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (await this.lease.hold()) await this.check();
        else this.pendingSince.clear();
        failures = 0;
      } catch (error) {
        if (failures++ % 30 === 0) this.logger.warn(`alert check failed: ${String(error)}`);
      }
      await sleep(ALERT_CHECK_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** One check: reads the state, applies the changes. */
  async check(): Promise<void> {
    const [stored, observation] = await Promise.all([
      this.redis
        .multi()
        .hgetall(this.keys.alertTasks)
        .hgetall(this.keys.alertSeen)
        .hgetall(this.keys.alertIncidents)
        .hgetall(this.keys.scheduleErrors)
        .exec(),
      this.observer.observe(),
    ]);
    const [tasks, seen, incidents, scheduleErrors] = (stored ?? []).map(([error, value]) => {
      if (error) throw error;
      return value as Record<string, string>;
    });
    const open = new Map<string, Incident>();
    for (const [key, json] of Object.entries(incidents ?? {})) open.set(key, JSON.parse(json) as Incident);
    const changes = checkAlerts(
      {
        now: observation.at,
        tasks: parseTaskFailures(tasks ?? {}),
        seen: new Map(Object.entries(seen ?? {}).map(([name, n]) => [name, Number(n)])),
        queues: observation.queues.map((q) => ({
          name: q.name,
          waiting: q.counts.waiting + q.counts.prioritized,
          oldestWaitingAge: q.oldestWaitingAge,
        })),
        consumed: new Set(observation.workers.flatMap((w) => w.queues)),
        scheduleErrors: new Map(Object.entries(scheduleErrors ?? {})),
        open,
        pendingSince: this.pendingSince,
      },
      this.rules,
    );
    this.pendingSince = changes.pendingSince;
    await this.store(changes, seen ?? {}, observation.at);
  }

  private async store(changes: AlertChanges, seenBefore: Record<string, string>, now: number): Promise<void> {
    const multi = this.redis.multi();
    const notices: AlertNotice[] = [];
    for (const incident of changes.fired) {
      multi.hset(this.keys.alertIncidents, key(incident), JSON.stringify(incident));
      multi.hincrby(this.keys.alertCounts, incident.alert, 1);
      notices.push(notice(incident, 'firing', incident.since, incident.message));
    }
    for (const incident of changes.updated) {
      multi.hset(this.keys.alertIncidents, key(incident), JSON.stringify(incident));
    }
    for (const { incident, message } of changes.resolved) {
      multi.hdel(this.keys.alertIncidents, key(incident));
      notices.push(notice(incident, 'resolved', now, message));
    }
    for (const [name, failed] of changes.seen) {
      if (seenBefore[name] !== String(failed)) multi.hset(this.keys.alertSeen, name, failed);
    }
    if (this.alerts.webhookUrl && notices.length > 0) {
      multi.lpush(this.keys.alertOutbox, ...notices.map((n) => JSON.stringify(n)));
      multi.ltrim(this.keys.alertOutbox, 0, OUTBOX_MAX - 1);
    }
    if (multi.length === 0) return;
    await multi.exec();
    for (const n of notices) {
      const line = `alert ${n.status}: ${n.alert} [${n.subject}] ${n.message}`;
      if (n.status === 'firing') this.logger.warn(line);
      else this.logger.log(line);
    }
  }
}

const key = (incident: Incident): string => incidentKey(incident.alert, incident.subject);

function notice(incident: Incident, status: AlertNotice['status'], at: number, message: string): AlertNotice {
  return {
    id: randomUUID(),
    alert: incident.alert,
    subject: incident.subject,
    status,
    since: new Date(incident.since).toISOString(),
    at: new Date(at).toISOString(),
    message,
    details: incident.details,
  };
}
