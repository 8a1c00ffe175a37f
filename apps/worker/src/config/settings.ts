import { loadDatabaseOptions, loadDocumentsConfig, loadEmbeddingConfig } from '@app/documents';
import { loadTasksConfig, type SettingsLoader } from '@app/tasks';
import { loadMailConfig } from './mail.config.js';
import { loadWorkerSettings } from './worker.config.js';

/** Every group of settings `codehubot worker` reads (its executor threads included), checked in one pass. */
export const WORKER_SETTINGS: readonly SettingsLoader[] = [
  loadTasksConfig,
  loadWorkerSettings,
  loadMailConfig,
  loadDatabaseOptions,
  loadDocumentsConfig,
  loadEmbeddingConfig,
];

/** What the control commands (`inspect`, `revoke`, `purge`) read: the broker's settings only. */
export const CONTROL_SETTINGS: readonly SettingsLoader[] = [loadTasksConfig];
