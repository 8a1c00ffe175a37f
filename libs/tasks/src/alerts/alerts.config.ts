import { validateEnv } from '@app/config';
import { IsInt, IsOptional, IsUrl, Min } from 'class-validator';

class AlertsEnv {
  /** Where firings and resolutions are POSTed as JSON; unset: alerts are logged and counted only. */
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'ALERT_WEBHOOK_URL must be an http:// or https:// URL' },
  )
  ALERT_WEBHOOK_URL?: string;

  /** Seconds the task next in line may wait before `queue_wait` fires; unset: that alert is off. */
  @IsOptional() @IsInt() @Min(1) ALERT_QUEUE_WAIT?: number;

  /** Seconds without a failure after which a `task_failed` incident resolves on its own. */
  @IsInt() @Min(1) ALERT_TASK_FAILED_QUIET: number = 300;
}

export interface AlertsConfig {
  webhookUrl?: string;
  /** Seconds; undefined: `queue_wait` is off. */
  queueWait?: number;
  taskFailedQuiet: number;
}

export function loadAlertsConfig(env: NodeJS.ProcessEnv = process.env): AlertsConfig {
  const s = validateEnv(AlertsEnv, env);
  return {
    webhookUrl: s.ALERT_WEBHOOK_URL,
    queueWait: s.ALERT_QUEUE_WAIT,
    taskFailedQuiet: s.ALERT_TASK_FAILED_QUIET,
  };
}

export const ALERTS_CONFIG = Symbol('ALERTS_CONFIG');
