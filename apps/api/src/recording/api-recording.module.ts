import { Module, type DynamicModule } from '@nestjs/common';
import { HistoryRecordingModule } from '@app/history';
import { MonitoringSinksModule, RECORDER_THREAD_ENTRY, RecorderThread } from '@app/tasks';

/**
 * Where the API records the task events (history, metrics, alerts): on a recorder thread of its own
 * (`recorder.main.ts`, with its own database connection), so that recording never holds the loop that
 * answers requests; on that loop only with an in-memory SQLite database, which a second connection could
 * not share.
 */
@Module({})
export class ApiRecordingModule {
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    if (env.DATABASE_URL?.trim() === 'sqlite::memory:') {
      return { module: ApiRecordingModule, imports: [HistoryRecordingModule, MonitoringSinksModule] };
    }
    return {
      module: ApiRecordingModule,
      providers: [
        RecorderThread,
        { provide: RECORDER_THREAD_ENTRY, useValue: new URL('./recorder.main.js', import.meta.url) },
      ],
    };
  }
}
