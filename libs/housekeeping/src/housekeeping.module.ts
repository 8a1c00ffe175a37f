import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '@app/database';
import { DeviceEntity } from './devices/device.entity.js';
import { DevicesRepository } from './devices/devices.repository.js';
import { housekeepingConfig, type HousekeepingConfig } from './housekeeping.config.js';
import { ApiTokenEntity } from './tokens/api-token.entity.js';
import { TokensRepository } from './tokens/tokens.repository.js';
import { ReportEntity } from './reports/report.entity.js';
import { ReportsRepository } from './reports/reports.repository.js';

export const HOUSEKEEPING_CONFIG = Symbol('HOUSEKEEPING_CONFIG');

/** API tokens, classroom devices and weekly reports, for the API (routes, Bearer tokens) and the worker (their periodic tasks). */
@Module({
  imports: [
    DatabaseModule,
    TypeOrmModule.forFeature([ApiTokenEntity, DeviceEntity, ReportEntity]),
    ConfigModule.forFeature(housekeepingConfig),
  ],
  providers: [
    {
      provide: HOUSEKEEPING_CONFIG,
      inject: [ConfigService],
      useFactory: (config: ConfigService): HousekeepingConfig =>
        config.getOrThrow<HousekeepingConfig>('housekeeping'),
    },
    TokensRepository,
    DevicesRepository,
    ReportsRepository,
  ],
  exports: [TokensRepository, DevicesRepository, ReportsRepository, HOUSEKEEPING_CONFIG],
})
export class HousekeepingModule {}
