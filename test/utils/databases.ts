import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { withMigrations } from '@app/database';
import { DocumentChunk, Document, DocumentIndexChange, StagedChunk } from '@app/documents';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A migrated database for one test file, and how to throw it away. */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  dataSource: DataSource;
  drop(): Promise<void>;
}

/** A temporary SQLite file, migrated as the apps migrate at start-up. */
export async function sqliteDatabase(entities: EntityList = []): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'codehubot-db-'));
  const dataSource = await initialize({ type: 'better-sqlite3', database: join(dir, 'db.sqlite') }, entities);
  return {
    name: 'sqlite',
    dataSource,
    drop: async () => {
      await dataSource.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A schema of its own in the PostgreSQL at TEST_POSTGRES_URL (default: the machine's, database `test`), so
 * that test files running at once never collide; dropped afterwards. Fails loudly when PostgreSQL is away.
 */
export async function postgresDatabase(entities: EntityList = []): Promise<TestDatabase> {
  const schema = `test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_URL} (${(error as Error).message}): start it ` +
        `(pg_ctlcluster 15 main start) or point TEST_POSTGRES_URL at one; these tests do not skip`,
      { cause: error },
    );
  }
  await admin.query(`CREATE SCHEMA "${schema}"`);
  // search_path too, so that plain SQL in tests sees the schema's tables
  const dataSource = await initialize(
    {
      type: 'postgres',
      url: POSTGRES_URL,
      schema,
      extra: { options: `-c search_path=${schema}` },
    },
    entities,
  );
  return {
    name: 'postgres',
    dataSource,
    drop: async () => {
      await dataSource.destroy();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** Entities a test file needs beside the documents' (its own feature's). */
type EntityList = (new () => object)[];

async function initialize(options: DataSourceOptions, extra: EntityList): Promise<DataSource> {
  const dataSource = new DataSource(
    withMigrations({
      ...options,
      entities: [Document, DocumentChunk, DocumentIndexChange, StagedChunk, ...extra],
    }),
  );
  return dataSource.initialize();
}

/**
 * A fresh PostgreSQL database for the built apps of one test (they take a URL, not a schema), and how to drop
 * it. Fails loudly when PostgreSQL is away.
 */
export async function postgresDatabaseUrl(
  serverUrl = POSTGRES_URL,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${serverUrl} (${(error as Error).message})`, {
      cause: error,
    });
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
