import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { HistoryStore } from './history-store.js';
import { PostgresHistoryStore } from './postgres-history-store.js';
import { SqliteHistoryStore } from './sqlite-history-store.js';

/** The store for the DataSource's database: PostgreSQL, or SQLite through TypeORM's own connection. */
export function createHistoryStore(dataSource: DataSource): HistoryStore {
  if (dataSource.options.type === 'postgres') return new PostgresHistoryStore(dataSource);
  if (dataSource.options.type !== 'better-sqlite3') {
    throw new Error(`task history: unsupported database ${dataSource.options.type}`);
  }
  const driver = dataSource.driver as unknown as { databaseConnection: Database };
  return new SqliteHistoryStore(driver.databaseConnection);
}
