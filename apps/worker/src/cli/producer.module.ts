import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { SchedulesModule } from '@app/schedules';
import { TasksModule } from '@app/tasks';

/** What the control commands (revoke, inspect, purge) need: the producer side only, no consumers. */
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }), TasksModule.forProducer()],
})
export class ProducerModule {}

/** `inspect scheduled`: the producer side and the schedules table (the schedules' next runs). */
@Module({ imports: [ProducerModule, SchedulesModule.forApi()] })
export class SchedulesControlModule {}
