import { registerAs } from '@nestjs/config';
import { IsInt, Min } from 'class-validator';
import { validateEnv } from '@app/config';

class HousekeepingEnv {
  /** Seconds without a heartbeat after which `tasks.update_device_status` marks a device offline. */
  @IsInt() @Min(1) DEVICE_OFFLINE_AFTER: number = 300;
}

export interface HousekeepingConfig {
  deviceOfflineAfter: number;
}

export function loadHousekeepingConfig(env: NodeJS.ProcessEnv = process.env): HousekeepingConfig {
  return { deviceOfflineAfter: validateEnv(HousekeepingEnv, env).DEVICE_OFFLINE_AFTER };
}

export const housekeepingConfig = registerAs('housekeeping', () => loadHousekeepingConfig());
