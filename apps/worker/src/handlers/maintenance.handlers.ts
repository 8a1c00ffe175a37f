import { Inject, Injectable } from '@nestjs/common';
import {
  DevicesRepository,
  HOUSEKEEPING_CONFIG,
  TokensRepository,
  type HousekeepingConfig,
} from '@app/housekeeping';
import {
  CleanupExpiredTokens,
  HandlesTask,
  UpdateDeviceStatus,
  type CleanupExpiredTokensResult,
  type UpdateDeviceStatusResult,
} from '@app/tasks';

/** The original's housekeeping: expired tokens, silent devices. */
@Injectable()
export class MaintenanceHandlers {
  constructor(
    private readonly tokens: TokensRepository,
    private readonly devices: DevicesRepository,
    @Inject(HOUSEKEEPING_CONFIG) private readonly config: HousekeepingConfig,
  ) {}

  @HandlesTask(CleanupExpiredTokens)
  async cleanupExpiredTokens(): Promise<CleanupExpiredTokensResult> {
    return { deleted: await this.tokens.deleteExpired() };
  }

  @HandlesTask(UpdateDeviceStatus)
  async updateDeviceStatus(): Promise<UpdateDeviceStatusResult> {
    return { updated: await this.devices.markOffline(Date.now() - this.config.deviceOfflineAfter * 1000) };
  }
}
