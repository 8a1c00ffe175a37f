import { registerAs } from '@nestjs/config';
import { validateEnv } from '@app/config';
import { IsInt, Max, Min } from 'class-validator';

class HistoryEnv {
  /** Days a task's history row (and its stats) is kept; older ones are pruned in batches. */
  @IsInt() @Min(1) @Max(3650) HISTORY_RETENTION_DAYS: number = 30;
}

export interface HistoryConfig {
  retentionDays: number;
}

export function loadHistoryConfig(env: NodeJS.ProcessEnv = process.env): HistoryConfig {
  return { retentionDays: validateEnv(HistoryEnv, env).HISTORY_RETENTION_DAYS };
}

export const historyConfig = registerAs('history', () => loadHistoryConfig());
