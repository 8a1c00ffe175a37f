import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/**
 * For a SQLite connection that only a recorder writes through (its thread's own): commits are no longer
 * synced to disk one by one (WAL with `synchronous = NORMAL`). A commit still survives the process's death,
 * SIGKILL included (it is in the operating system's hands); only a power loss or a kernel crash may roll the
 * last ones back, and with them the recorder's cursor, so those events are read again. PostgreSQL: unchanged.
 */
export function relaxCommitSync(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3') return;
  const driver = dataSource.driver as unknown as { databaseConnection: Database };
  driver.databaseConnection.pragma('synchronous = NORMAL');
}
