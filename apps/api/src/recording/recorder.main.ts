import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { relaxCommitSync } from '@app/database';
import { HistoryRecordingModule } from '@app/history';
import {
  configureLogging,
  loadLogSettings,
  MonitoringSinksModule,
  PinoNestLogger,
  runRecorderThread,
  TasksModule,
} from '@app/tasks';

/** The body of the API's recorder thread: the events recorder, its sinks, and the history's housekeeping. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
    TasksModule.forRecorder(),
    HistoryRecordingModule,
    MonitoringSinksModule,
  ],
})
class RecorderModule {}

// the API's settings reach the thread through the environment it inherits
const log = configureLogging(loadLogSettings(), { sync: true, bindings: { thread: 'recorder' } });
void runRecorderThread(RecorderModule, new PinoNestLogger(log), (app) =>
  relaxCommitSync(app.get<DataSource>(getDataSourceToken())),
);
