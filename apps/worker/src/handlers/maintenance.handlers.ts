import { Inject, Injectable } from '@nestjs/common';
import {
  DevicesRepository,
  HOUSEKEEPING_CONFIG,
  TokensRepository,
  type HousekeepingConfig,
} from '@app/housekeeping';
import {
  CleanupExpiredTokens,
  GenerateWeeklyReport,
  HandlesTask,
  UpdateDeviceStatus,
  type CleanupExpiredTokensResult,
  type GenerateWeeklyReportResult,
  type TaskContext,
  type UpdateDeviceStatusResult,
} from '@app/tasks';
import { WeeklyReportService } from '../services/weekly-report.service.js';

/** The original's housekeeping: expired tokens, silent devices, the weekly report. */
@Injectable()
export class MaintenanceHandlers {
  constructor(
    private readonly tokens: TokensRepository,
    private readonly devices: DevicesRepository,
    @Inject(HOUSEKEEPING_CONFIG) private readonly config: HousekeepingConfig,
    private readonly weeklyReport: WeeklyReportService,
  ) {}

  @HandlesTask(GenerateWeeklyReport)
  generateWeeklyReport(_payload: object, ctx: TaskContext): Promise<GenerateWeeklyReportResult> {
    return this.weeklyReport.generate(ctx.scheduledFor?.getTime() ?? Date.now());
  }

  @HandlesTask(CleanupExpiredTokens)
  async cleanupExpiredTokens(): Promise<CleanupExpiredTokensResult> {
    return { deleted: await this.tokens.deleteExpired() };
  }

  @HandlesTask(UpdateDeviceStatus)
  async updateDeviceStatus(): Promise<UpdateDeviceStatusResult> {
    return { updated: await this.devices.markOffline(Date.now() - this.config.deviceOfflineAfter * 1000) };
  }
}
