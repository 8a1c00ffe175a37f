import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { databaseConfig } from './config/database.config.js';
import { useBinaryColumnType } from './binary-column.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * What every DataSource of this project gets on top of its connection options: the migrations, run at
 * start-up (never `synchronize`), and binary columns typed for the driver. Tests build theirs with it too.
 */
export function withMigrations<T extends DataSourceOptions>(options: T): T {
  useBinaryColumnType(options.type);
  return { ...options, migrations: MIGRATIONS, migrationsRun: true, synchronize: false };
}

/** The TypeORM connection both apps share; entities register themselves with `forFeature`. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule.forFeature(databaseConfig)],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const options = config.getOrThrow<DataSourceOptions>('database');
        if (options.type === 'better-sqlite3' && options.database !== ':memory:') {
          mkdirSync(dirname(options.database), { recursive: true });
        }
        // retries also cover two processes migrating one fresh database at once: the loser finds it done
        return { ...withMigrations(options), autoLoadEntities: true, retryAttempts: 3, retryDelay: 1000 };
      },
    }),
  ],
})
export class DatabaseModule {}
