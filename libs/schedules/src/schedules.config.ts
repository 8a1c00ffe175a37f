import { registerAs } from '@nestjs/config';
import { IsInt, Max, Min, ValidateBy } from 'class-validator';
import { validateEnv } from '@app/config';
import { isTimeZone } from './next-run.js';

class SchedulesEnv {
  /** The zone of schedules that name none (the original's Asia/Shanghai). */
  @ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && isTimeZone(v),
      defaultMessage: () => 'SCHEDULE_TIMEZONE must be an IANA time zone (e.g. Asia/Shanghai)',
    },
  })
  SCHEDULE_TIMEZONE: string = 'Asia/Shanghai';
  /** Milliseconds between a beat's reloads of the schedules table (changes made over REST show up then). */
  @IsInt() @Min(100) @Max(60_000) BEAT_RELOAD_INTERVAL: number = 1000;
  /**
   * Added to this beat's clock, in milliseconds (tests: replicas whose clocks disagree); never needed in
   * production, where each beat reads its machine's clock.
   */
  @IsInt() @Min(-60_000) @Max(60_000) BEAT_CLOCK_OFFSET: number = 0;
}

export interface SchedulesConfig {
  timezone: string;
  reloadIntervalMs: number;
  clockOffsetMs: number;
}

export function loadSchedulesConfig(env: NodeJS.ProcessEnv = process.env): SchedulesConfig {
  const s = validateEnv(SchedulesEnv, env);
  return {
    timezone: s.SCHEDULE_TIMEZONE,
    reloadIntervalMs: s.BEAT_RELOAD_INTERVAL,
    clockOffsetMs: s.BEAT_CLOCK_OFFSET,
  };
}

export const schedulesConfig = registerAs('schedules', () => loadSchedulesConfig());
