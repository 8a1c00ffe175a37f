import type { AnyTask } from '../core/define-task.js';
import { Add } from './add.task.js';
import { CpuBurn } from './cpu-burn.task.js';
import { DownloadDocument } from './download-document.task.js';
import { ExtractDocument } from './extract-document.task.js';
import { GenerateReport } from './generate-report.task.js';
import { LongRunningTask } from './long-running-task.task.js';
import { ProcessData } from './process-data.task.js';
import { ProcessItem } from './process-item.task.js';
import { SaveChunks } from './save-chunks.task.js';
import { SendEmail } from './send-email.task.js';
import { VectorizeBatch } from './vectorize-batch.task.js';
import { VectorizeDocument } from './vectorize-document.task.js';
import { Xsum } from './xsum.task.js';
import { Fail } from './fail.task.js';
import { Flaky } from './flaky.task.js';
import { Sleep } from './sleep.task.js';
import { SumInParallel } from './sum-in-parallel.task.js';
import { CleanupExpiredTokens } from './cleanup-expired-tokens.task.js';
import { UpdateDeviceStatus } from './update-device-status.task.js';
import { SyncData } from './sync-data.task.js';
import { GenerateWeeklyReport } from './generate-weekly-report.task.js';

export * from './add.task.js';
export * from './cpu-burn.task.js';
export * from './download-document.task.js';
export * from './extract-document.task.js';
export * from './generate-report.task.js';
export * from './long-running-task.task.js';
export * from './process-data.task.js';
export * from './process-item.task.js';
export * from './save-chunks.task.js';
export * from './send-email.task.js';
export * from './vectorize-batch.task.js';
export * from './vectorize-document.task.js';
export * from './xsum.task.js';
export * from './fail.task.js';
export * from './flaky.task.js';
export * from './sleep.task.js';
export * from './sum-in-parallel.task.js';
export * from './cleanup-expired-tokens.task.js';
export * from './update-device-status.task.js';
export * from './sync-data.task.js';
export * from './generate-weekly-report.task.js';
export * from './document-pipeline.js';

/** Every task the system registers: the worker must handle each exactly once, the API accepts only these. */
export const ALL_TASKS: readonly AnyTask[] = [
  Add,
  Xsum,
  ProcessData,
  LongRunningTask,
  CpuBurn,
  ProcessItem,
  GenerateReport,
  SendEmail,
  VectorizeDocument,
  VectorizeBatch,
  SaveChunks,
  DownloadDocument,
  ExtractDocument,
  Sleep,
  Fail,
  Flaky,
  SumInParallel,
  CleanupExpiredTokens,
  UpdateDeviceStatus,
  SyncData,
  GenerateWeeklyReport,
];
