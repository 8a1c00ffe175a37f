import { loadHousekeepingConfig } from '@app/housekeeping';
import { loadSchedulesConfig } from '@app/schedules';
import { loadDatabaseOptions } from '@app/database';
import { loadHistoryConfig } from '@app/history';
import { loadDocumentsConfig, loadEmbeddingConfig } from '@app/documents';
import { loadAlertsConfig, loadLogSettings, loadTasksConfig, loadTracingSettings } from '@app/tasks';
import type { SettingsLoader } from '@app/config';
import { loadMailConfig } from './mail.config.js';
import { loadWorkerSettings } from './worker.config.js';

/** Every group of settings `codehubot worker` reads (its executor threads included), checked in one pass. */
export const WORKER_SETTINGS: readonly SettingsLoader[] = [
  loadTasksConfig,
  loadAlertsConfig,
  loadWorkerSettings,
  loadMailConfig,
  loadDatabaseOptions,
  loadDocumentsConfig,
  loadEmbeddingConfig,
  loadLogSettings,
  loadTracingSettings,
  loadHistoryConfig,
  loadSchedulesConfig,
  loadHousekeepingConfig,
];

/** What `codehubot beat` reads: the broker, the database (the schedules table), the schedules' own settings. */
export const BEAT_SETTINGS: readonly SettingsLoader[] = [
  loadTasksConfig,
  loadDatabaseOptions,
  loadSchedulesConfig,
  loadLogSettings,
];

/** What the control commands (`inspect`, `revoke`, `purge`) read: the broker, and the database for `inspect scheduled`. */
export const CONTROL_SETTINGS: readonly SettingsLoader[] = [
  loadTasksConfig,
  loadDatabaseOptions,
  loadSchedulesConfig,
];
