import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '@app/database';
import { BeatSchedules } from './beat.schedules.js';
import { BeatState } from './beat/beat-state.js';
import { BeatService } from './beat/beat.service.js';
import { ScheduleTicker } from './beat/schedule-ticker.js';
import { DeclaredSchedules } from './declared-schedules.js';
import { ScheduleEntity } from './entities/schedule.entity.js';
import { schedulesConfig, type SchedulesConfig } from './schedules.config.js';
import { SchedulesService } from './schedules.service.js';
import { SchedulesStore } from './schedules.store.js';
import { SCHEDULES_CONFIG } from './tokens.js';

/** Applies the schedules declared in code (`@Periodic`) to the table at start, before any beat reads it. */
@Injectable()
export class ScheduleDeclarations implements OnModuleInit {
  private readonly logger = new Logger('Schedules');

  constructor(
    @Inject(SCHEDULES_CONFIG) private readonly config: SchedulesConfig,
    private readonly declared: DeclaredSchedules,
    private readonly store: SchedulesStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const found = this.declared.find(this.config.timezone);
    for (const d of found) await this.store.upsertDeclared(d);
    if (found.length > 0) this.logger.log(`declared in code: ${found.map((d) => d.name).join(', ')}`);
  }
}

const providers: Provider[] = [
  {
    provide: SCHEDULES_CONFIG,
    inject: [ConfigService],
    useFactory: (config: ConfigService): SchedulesConfig => config.getOrThrow<SchedulesConfig>('schedules'),
  },
  SchedulesStore,
  BeatState,
  ScheduleTicker,
  DeclaredSchedules,
  ScheduleDeclarations,
  SchedulesService,
];

/**
 * Periodic tasks over the task system (`TasksModule`, global) and the database. `forApi()`: the table, the
 * declarations applied, the run-time operations. `forBeat()`: the same and the beat, which queues the ticks.
 * `declarations` are the providers whose `@Periodic` methods declare schedules.
 */
@Module({})
export class SchedulesModule {
  static forApi(declarations: Provider[] = [BeatSchedules]): DynamicModule {
    return {
      module: SchedulesModule,
      imports: [
        DatabaseModule,
        DiscoveryModule,
        TypeOrmModule.forFeature([ScheduleEntity]),
        ConfigModule.forFeature(schedulesConfig),
      ],
      providers: [...providers, ...declarations],
      exports: [SchedulesService, SCHEDULES_CONFIG],
    };
  }

  static forBeat(declarations: Provider[] = [BeatSchedules]): DynamicModule {
    const api = SchedulesModule.forApi(declarations);
    return { ...api, providers: [...(api.providers ?? []), BeatService] };
  }
}
