import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { SchedulesModule } from '@app/schedules';
import { TasksModule } from '@app/tasks';

/** `codehubot beat`: a process that only schedules (queues the ticks of every schedule), consuming nothing. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
    TasksModule.forProducer(),
    SchedulesModule.forBeat(),
  ],
})
export class BeatModule {}
