import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { databaseConfig } from './config/database.config.js';

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
        return { ...options, autoLoadEntities: true, retryAttempts: 3, retryDelay: 1000 };
      },
    }),
  ],
})
export class DatabaseModule {}
