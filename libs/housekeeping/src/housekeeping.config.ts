import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { validateEnv } from '@app/config';

class HousekeepingEnv {
  /** Seconds without a heartbeat after which `tasks.update_device_status` marks a device offline. */
  @IsInt() @Min(1) DEVICE_OFFLINE_AFTER: number = 300;

  /** Comma-separated addresses the weekly report is mailed to; unset: it is stored only. */
  @IsOptional()
  @Matches(/^\s*[^\s,@]+@[^\s,@]+(\s*,\s*[^\s,@]+@[^\s,@]+)*\s*$/, {
    message: 'REPORT_RECIPIENTS must be comma-separated e-mail addresses',
  })
  REPORT_RECIPIENTS?: string;
}

export interface HousekeepingConfig {
  deviceOfflineAfter: number;
  reportRecipients: string[];
}

export function loadHousekeepingConfig(env: NodeJS.ProcessEnv = process.env): HousekeepingConfig {
  const s = validateEnv(HousekeepingEnv, env);
  return {
    deviceOfflineAfter: s.DEVICE_OFFLINE_AFTER,
    reportRecipients: (s.REPORT_RECIPIENTS ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
  };
}

export const housekeepingConfig = registerAs('housekeeping', () => loadHousekeepingConfig());
