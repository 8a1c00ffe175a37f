/**
 * Our own Redis keys, beside BullMQ's `<prefix>:<queue>:…`. Queue names may not start with `_`, so these never
 * collide with a queue.
 */
export const ownKeys = (prefix: string) => ({
  /** Every queue ever used under this prefix: where a task id is looked for. */
  queues: `${prefix}:_queues`,
  /** Revoked task ids, scored by when the mark may be forgotten. */
  revoked: `${prefix}:_revoked`,
  /** Pub/sub channel for revoke broadcasts (Celery's control channel). */
  control: `${prefix}:_control`,
  /** Live workers, scored by their last heartbeat. */
  workers: `${prefix}:_workers`,
  /**
   * Each worker's BullMQ worker ids (JSON list): the prefix of every lock token it holds, by which a live worker
   * finds a dead one's tasks (crash recovery).
   */
  lockOwners: `${prefix}:_lock_owners`,
  /** One worker's last heartbeat (JSON), expiring when it stops beating. */
  worker: (id: string) => `${prefix}:_worker:${id}`,
  /** One workflow: its nodes, their results, its state (a hash; docs/WORKFLOWS.md). */
  workflow: (id: string) => `${prefix}:_wf:${id}`,
  /** Workflows whose first step is being queued in batches, scored by when they count as abandoned. */
  workflowsQueuing: `${prefix}:_wf_queuing`,
  /** Task events (a stream): what happened to every task, read by the recorder (docs/OBSERVABILITY.md). */
  events: `${prefix}:_events`,
  /** The recorder's lease: which process reads the events stream now. */
  recorderLease: `${prefix}:_recorder`,
  /** Set (with an expiry) by API processes that can record: while it exists, workers leave the lease to them. */
  recorderPrimary: `${prefix}:_recorder_primary`,
  /** How far each consumer of the events stream has read (a hash: sink name → stream id). */
  eventCursors: `${prefix}:_event_cursors`,
  /** Per-task counters and histograms of every worker, added up by the metrics sink (docs/OBSERVABILITY.md). */
  metrics: `${prefix}:_metrics`,
  /** Per task name: failures for good, when it last failed and succeeded (the alerts sink, for `task_failed`). */
  alertTasks: `${prefix}:_alert_tasks`,
  /** Open alert incidents (a hash: `<alert>|<subject>` → the incident as JSON). */
  alertIncidents: `${prefix}:_alerts`,
  /** Per task name, the failures the alert monitor has already looked at. */
  alertSeen: `${prefix}:_alert_seen`,
  /** Incidents fired so far, per alert (`codehubot_alerts_total`). */
  alertCounts: `${prefix}:_alert_counts`,
  /** The alert monitor's lease: which process checks and notifies now. */
  alertLease: `${prefix}:_alerts_lease`,
  /** Notifications for ALERT_WEBHOOK_URL not delivered yet (a list, newest first, capped). */
  alertOutbox: `${prefix}:_alert_outbox`,
  /** One schedule's beat state (a hash: last tick handled, last task queued, buffered tick, error). */
  beat: (schedule: string) => `${prefix}:_beat:${schedule}`,
  /** Held (with an expiry) by the beat handling one schedule's due ticks now. */
  beatLock: (schedule: string) => `${prefix}:_beat_lock:${schedule}`,
  /** Schedules in an error state (a hash: name → message), for the `schedule_error` alert. */
  scheduleErrors: `${prefix}:_schedule_errors`,
  /** What is left of a purged task, so that it reads REVOKED instead of unknown. */
  purged: (id: string) => `${prefix}:_purged:${id}`,
});
