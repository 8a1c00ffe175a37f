import { Injectable } from '@nestjs/common';
import {
  CleanupExpiredTokens,
  GenerateWeeklyReport,
  signature,
  SyncData,
  UpdateDeviceStatus,
} from '@app/tasks';
import { Periodic } from './periodic.decorator.js';

/** The original's Celery beat schedule, in SCHEDULE_TIMEZONE (Asia/Shanghai by default). */
@Injectable()
export class BeatSchedules {
  /** Daily at 03:00: expired API tokens deleted. */
  @Periodic({ name: 'cleanup-expired-tokens', cron: '0 3 * * *' })
  cleanupExpiredTokens() {
    return signature(CleanupExpiredTokens, {});
  }

  /** Hourly at minute 0: devices silent for DEVICE_OFFLINE_AFTER marked offline. */
  @Periodic({ name: 'update-device-status', cron: '0 * * * *' })
  updateDeviceStatus() {
    return signature(UpdateDeviceStatus, {});
  }

  /** Every 1800 s: documents stranded pending or processing with no live task queued again. */
  @Periodic({ name: 'sync-data', every: 1800 })
  syncData() {
    return signature(SyncData, {});
  }

  /** Mondays at 10:00: the last 7 days' figures, stored and mailed to REPORT_RECIPIENTS. */
  @Periodic({ name: 'weekly-report', cron: '0 10 * * 1' })
  weeklyReport() {
    return signature(GenerateWeeklyReport, {});
  }
}
