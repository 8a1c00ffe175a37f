export const ALERT_KINDS = ['task_failed', 'queue_unattended', 'queue_wait', 'schedule_error'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** An open incident: one alert about one subject (a task name, a queue), from when it fired. */
export interface Incident {
  alert: AlertKind;
  subject: string;
  /** Epoch ms it fired. */
  since: number;
  message: string;
  details: Record<string, unknown>;
}

/** What ALERT_WEBHOOK_URL receives (POST, JSON), once when an incident fires and once when it resolves. */
export interface AlertNotice {
  /** Unique per notice: a receiver that sees one twice (a retry after a lost answer) can drop the copy. */
  id: string;
  alert: AlertKind;
  subject: string;
  status: 'firing' | 'resolved';
  /** When the incident fired (ISO time). */
  since: string;
  /** When this happened: the firing, or the resolution (ISO time). */
  at: string;
  message: string;
  details: Record<string, unknown>;
}

export const incidentKey = (alert: AlertKind, subject: string): string => `${alert}|${subject}`;
