import { Injectable, Logger } from '@nestjs/common';
import { DocumentsRepository, type Document } from '@app/documents';
import {
  documentPipeline,
  READY_STATES,
  TaskStatusReader,
  WorkflowClient,
  type SyncDataResult,
} from '@app/tasks';

/** A document with no task yet may be one whose intake is between its database write and its queueing. */
const NO_TASK_GRACE_MS = 60_000;
/** Most documents one run looks at: the rest wait for the next run (a task is small, not millions of rows). */
const BATCH = 500;

/**
 * `tasks.sync_data`: a document left `pending` or `processing` whose task is gone (unknown, expired, purged)
 * or finished, or that never got one, is stranded; its pipeline is queued again and recorded on it.
 */
@Injectable()
export class DocumentSyncService {
  private readonly logger = new Logger('DocumentSync');

  constructor(
    private readonly documents: DocumentsRepository,
    private readonly reader: TaskStatusReader,
    private readonly workflows: WorkflowClient,
  ) {}

  async run(now = Date.now()): Promise<SyncDataResult> {
    const unfinished = await this.documents.unfinished(BATCH);
    const requeued: SyncDataResult['requeued'] = [];
    for (const document of unfinished) {
      if (!(await this.stranded(document, now))) continue;
      await this.documents.markPending(document.id);
      const handle = await this.workflows.submit(documentPipeline(document));
      await this.documents.setTask(document.id, handle.id);
      requeued.push({ document_id: document.id, task_id: handle.id });
      this.logger.log(
        `document ${document.id} was stranded (task ${document.taskId ?? 'none'}): queued again as ${handle.id}`,
      );
    }
    return { checked: unfinished.length, requeued };
  }

  private async stranded(document: Document, now: number): Promise<boolean> {
    if (document.taskId === null) return now - document.updatedAt.getTime() > NO_TASK_GRACE_MS;
    const status = await this.reader.status(document.taskId);
    return status === null || READY_STATES.has(status.state);
  }
}
