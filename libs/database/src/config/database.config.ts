import { registerAs } from '@nestjs/config';
import { validateEnv } from '@app/config';
import { IsOptional, Matches } from 'class-validator';
import { resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

class DatabaseEnv {
  @IsOptional()
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<path> (or sqlite::memory:) or postgres://…',
  })
  DATABASE_URL?: string;
}

/** How long a write waits for another connection's write lock (executor threads, the API) before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 30_000;

export const DEFAULT_SQLITE_PATH = './var/codehubot.sqlite';

/** TypeORM options from `DATABASE_URL`: SQLite (a file, nothing to install) by default, PostgreSQL when given. */
export function databaseOptions(url: string | undefined): DataSourceOptions {
  if (url && /^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  const path = url ? url.slice('sqlite:'.length) : DEFAULT_SQLITE_PATH;
  // WAL: the API and the workers write one file at once without blocking readers
  return path === ':memory:'
    ? { type: 'better-sqlite3', database: path }
    : { type: 'better-sqlite3', database: resolve(path), enableWAL: true, timeout: SQLITE_BUSY_TIMEOUT_MS };
}

export function loadDatabaseOptions(env: NodeJS.ProcessEnv = process.env): DataSourceOptions {
  return databaseOptions(validateEnv(DatabaseEnv, env).DATABASE_URL);
}

export const databaseConfig = registerAs('database', () => loadDatabaseOptions());
