import { defineTask } from '../core/define-task.js';

export class SyncDataPayload {}

export interface SyncDataResult {
  /** Documents pending or processing that were looked at. */
  checked: number;
  /** Those with no live task, queued again: each with its new task id. */
  requeued: { document_id: string; task_id: string }[];
}

/**
 * Finds documents left `pending` or `processing` with no live task (a crash, or a Redis outage between the
 * database write and the queueing) and queues their pipeline again (every 1800 s, `sync-data`). Idempotent.
 */
export const SyncData = defineTask<SyncDataPayload, SyncDataResult>({
  name: 'tasks.sync_data',
  params: [],
  payload: SyncDataPayload,
  isolation: 'none',
  description: 'Re-queues documents left pending or processing with no live task; returns what it did.',
});
