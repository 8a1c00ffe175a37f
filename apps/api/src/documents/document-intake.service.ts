import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import {
  detectType,
  DOCUMENTS_CONFIG,
  DocumentsRepository,
  FileStore,
  UnsupportedDocumentError,
  type Document,
  type DocumentsConfig,
} from '@app/documents';
import {
  documentPipeline,
  group,
  si,
  TaskClient,
  VectorizeDocument,
  WorkflowClient,
  WorkflowStatusReader,
  type RequestContext,
} from '@app/tasks';
import { createHash, randomUUID } from 'node:crypto';
import { basename } from 'node:path';

/** A client's file name reduced to something safe to show: no folders, no control characters, bounded. */
export function displayName(original: string | undefined): string {
  const base = basename((original ?? '').replace(/\\/g, '/'))
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return (base === '' || base === '.' || base === '..' ? 'document' : base).slice(0, 255);
}

/**
 * Takes documents in: an upload is checked (size, type by content), stored under our own name and queued as
 * the chain extract → vectorize (→ save); a URL becomes a pending document and the chain download → extract →
 * vectorize (→ save). The document's `task_id` is the chain's id: one status for the whole pipeline. The steps
 * are immutable members (`si`) carrying the document id: each reads its input (file, text) from the database.
 */
@Injectable()
export class DocumentIntakeService {
  private readonly logger = new Logger(DocumentIntakeService.name);

  constructor(
    private readonly repository: DocumentsRepository,
    private readonly files: FileStore,
    private readonly tasks: TaskClient,
    private readonly workflows: WorkflowClient,
    private readonly workflowStatus: WorkflowStatusReader,
    @Inject(DOCUMENTS_CONFIG) private readonly config: DocumentsConfig,
  ) {}

  async upload(
    file: { buffer: Buffer; originalname?: string; size: number },
    title: string | undefined,
    origin: RequestContext,
  ): Promise<Document> {
    if (file.size === 0 || file.buffer.length === 0) throw new BadRequestException('file: the file is empty');
    if (file.size > this.config.uploadMaxBytes) {
      throw new PayloadTooLargeException(`file: over UPLOAD_MAX_BYTES (${this.config.uploadMaxBytes} bytes)`);
    }
    const filename = displayName(file.originalname);
    let detected;
    try {
      detected = detectType(file.buffer, filename);
    } catch (error) {
      if (error instanceof UnsupportedDocumentError) {
        throw error.reason === 'empty'
          ? new BadRequestException(error.message)
          : new UnsupportedMediaTypeException(error.message);
      }
      throw error;
    }
    const id = randomUUID();
    const storedName = FileStore.storedName(id, detected.extension);
    await this.files.write(storedName, file.buffer);
    let document: Document;
    try {
      document = await this.repository.create({
        id,
        title: title ?? filename.replace(/\.[^.]+$/, ''),
        filename,
        storedName,
        contentHash: createHash('sha256').update(file.buffer).digest('hex'),
        mimeType: detected.mime,
        docType: detected.type,
        size: file.size,
      });
    } catch (error) {
      await this.files.remove(storedName);
      throw error;
    }
    return this.queue(document, () => this.workflows.submit(documentPipeline(document), origin));
  }

  async fromUrl(url: string, title: string | undefined, origin: RequestContext): Promise<Document> {
    const id = randomUUID();
    const filename = displayName(decodeURIComponent(new URL(url).pathname)) || 'download';
    const document = await this.repository.create({ id, title: title ?? filename, filename, sourceUrl: url });
    return this.queue(document, () => this.workflows.submit(documentPipeline(document), origin));
  }

  /** Queues a re-vectorization; the document reads pending until a worker takes it. */
  async revectorize(document: Document, origin: RequestContext): Promise<string> {
    // pending before the task is queued: a worker taking it at once moves it on to processing, never back
    await this.repository.markPending(document.id);
    const handle = await this.tasks.submit(VectorizeDocument, { document_id: document.id }, origin);
    await this.repository.setTask(document.id, handle.id);
    return handle.id;
  }

  /**
   * Queues the vectorization of many documents as one group (its result: theirs, in the order given); each
   * document reads pending until a worker takes it, and its `task_id` names its own member of the group.
   */
  async vectorizeMany(documents: readonly Document[], origin: RequestContext): Promise<string> {
    const ids = documents.map((d) => d.id);
    // pending before the group is queued: a worker taking a member at once moves it on, never back
    await this.repository.markManyPending(ids);
    let groupId: string;
    try {
      groupId = (
        await this.workflows.submit(
          group(...ids.map((id) => si(VectorizeDocument, { document_id: id }))),
          origin,
        )
      ).id;
    } catch (error) {
      await this.repository.markManyFailed(ids, `could not queue: ${(error as Error).message}`);
      throw error;
    }
    const members = new Map(
      ((await this.workflowStatus.status(groupId))?.members ?? []).map((m) => [m.path, m.task_id]),
    );
    await this.repository.setTasks(new Map(ids.map((id, i) => [id, members.get(`group[${i}]`) ?? groupId])));
    this.logger.log(`vectorization of ${ids.length} documents queued as group ${groupId}`);
    return groupId;
  }

  /** Deletes the document, its chunks and its file. */
  async delete(id: string): Promise<boolean> {
    const deleted = await this.repository.delete(id);
    if (!deleted) return false;
    if (deleted.storedName) await this.files.remove(deleted.storedName);
    return true;
  }

  /**
   * Queues the first task and answers with the document as accepted (pending): a worker may already have moved
   * it on by the time the answer leaves, which `GET /documents/{id}` shows.
   */
  private async queue(document: Document, submit: () => Promise<{ id: string }>): Promise<Document> {
    try {
      const handle = await submit();
      await this.repository.setTask(document.id, handle.id);
      this.logger.log(`document ${document.id} (${document.filename}) accepted, task ${handle.id}`);
      return { ...document, taskId: handle.id };
    } catch (error) {
      // the broker refused: the document stays, marked failed, and can be re-queued with /vectorize
      await this.repository.markFailed(document.id, `could not queue: ${(error as Error).message}`);
      throw error;
    }
  }
}
