import { isatty } from 'node:tty';
import { validateEnv } from '@app/config';
import { IsIn, IsOptional, IsString } from 'class-validator';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

class LogEnv {
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: string = 'info';
  /** Unset: pretty when stdout is a terminal (and no log file is given), JSON lines otherwise. */
  @IsOptional()
  @IsIn(LOG_FORMATS, { message: `LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}` })
  LOG_FORMAT?: string;
  /** A file to append the logs to instead of stdout (the worker's `--logfile` sets it). */
  @IsOptional() @IsString() LOG_FILE?: string;
}

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go: a file path, or stdout when unset. */
  file?: string;
}

export function loadLogSettings(env: NodeJS.ProcessEnv = process.env): LogSettings {
  const s = validateEnv(LogEnv, env);
  const format = (s.LOG_FORMAT as LogFormat | undefined) ?? (!s.LOG_FILE && isatty(1) ? 'pretty' : 'json');
  return { level: s.LOG_LEVEL as LogLevel, format, file: s.LOG_FILE };
}
