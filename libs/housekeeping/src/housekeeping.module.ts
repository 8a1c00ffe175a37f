import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '@app/database';
import { DeviceEntity } from './devices/device.entity.js';
import { DevicesRepository } from './devices/devices.repository.js';
import { housekeepingConfig, type HousekeepingConfig } from './housekeeping.config.js';
import { ApiTokenEntity } from './tokens/api-token.entity.js';
import { TokensRepository } from './tokens/tokens.repository.js';

export const HOUSEKEEPING_CONFIG = Symbol('HOUSEKEEPING_CONFIG');

/** API tokens and classroom devices, for the API (routes, Bearer tokens) and the worker (their periodic tasks). */
@Module({
  imports: [
    DatabaseModule,
    TypeOrmModule.forFeature([ApiTokenEntity, DeviceEntity]),
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
  ],
  exports: [TokensRepository, DevicesRepository, HOUSEKEEPING_CONFIG],
})
export class HousekeepingModule {}
