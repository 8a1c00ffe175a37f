import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import {
  DocumentsRepository,
  EmbeddingStatus,
  SearchService,
  type Document,
  type SearchHit,
} from '@app/documents';
import type { RequestContext } from '@app/tasks';
import { isUUID } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import {
  ApiBodyByMediaType,
  ApiErrors,
  ApiUuidParam,
  BROKER_ERRORS,
  JSON_BODY_ERRORS,
} from '../openapi/decorators.js';
import { RequestOrigin } from '../observability/request-origin.decorator.js';
import { IdParamPipe } from '../validation/id-param.pipe.js';
import { StrictValidationPipe } from '../validation/strict-validation.pipe.js';
import { DocumentIntakeService } from './document-intake.service.js';
import { readMultipart } from './multipart-upload.js';
import {
  AcceptedDocumentDto,
  CreateDocumentDto,
  DocumentDto,
  DocumentFromUrlDto,
  DocumentListDto,
  SearchHitDto,
  UploadDocumentDto,
  VectorizeManyDto,
  VectorizeQueuedDto,
  WorkflowQueuedDto,
} from './dto/document.dto.js';

const statusUrl = (id: string): string => `/tasks/${id}`;
const STATUSES: readonly string[] = Object.values(EmbeddingStatus);
const documentNotFound = (id: string): NotFoundException => new NotFoundException(`No document ${id}`);
/** `{id}`: one that is not a UUID is answered as an unknown one. */
const DOCUMENT_ID = new IdParamPipe(documentNotFound);

/** An optional whole-number query parameter within bounds, or a 400 naming it. */
function intParam(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < min || n > max) {
    throw new BadRequestException(`${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** An optional `true`/`false` query parameter, or a 400 naming it. */
function boolParam(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new BadRequestException(`${name} must be true or false`);
}

/** Ids given as a repeated parameter and/or separated by commas; undefined when absent. */
function uuidListParam(name: string, raw: string | string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const ids = [raw]
    .flat()
    .flatMap((value) => value.split(','))
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const bad = ids.find((id) => !isUUID(id));
  if (bad !== undefined)
    throw new BadRequestException(`${name}: ${JSON.stringify(bad.slice(0, 60))} is not a UUID`);
  if (ids.length > 1000) throw new BadRequestException(`${name}: at most 1000 ids`);
  return ids.length > 0 ? ids : undefined;
}

function accepted(document: Document): AcceptedDocumentDto {
  return {
    id: document.id,
    filename: document.filename,
    embedding_status: document.embeddingStatus,
    task_id: document.taskId ?? '',
    status_url: statusUrl(document.taskId ?? ''),
  };
}

@ApiTags('documents')
@ApiBearerAuth()
@Controller('documents')
export class DocumentsController {
  /** Multipart fields are read in the handler, after the global pipe has run: they are checked here. */
  private readonly fieldsPipe = new StrictValidationPipe();

  constructor(
    private readonly intake: DocumentIntakeService,
    private readonly repository: DocumentsRepository,
    private readonly searcher: SearchService,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Upload a document (multipart `file`) or have one downloaded (JSON `{url}`); vectorized in the background',
  })
  @ApiBodyByMediaType({ 'multipart/form-data': UploadDocumentDto, 'application/json': DocumentFromUrlDto })
  @ApiAcceptedResponse({ type: AcceptedDocumentDto })
  @ApiErrors({
    ...BROKER_ERRORS,
    400: 'Empty file, no file, malformed JSON, or a bad field (the message names it)',
    413: 'A file over UPLOAD_MAX_BYTES, or a JSON body over 1 MB',
    415: 'Not .txt, .md, .html, .pdf or .docx by content, or a body neither multipart nor JSON',
  })
  async create(
    @Req() request: FastifyRequest,
    // a multipart request has no parsed body: its fields are read and checked below
    @Body() body: CreateDocumentDto = {},
    @RequestOrigin() origin: RequestContext,
  ): Promise<AcceptedDocumentDto> {
    if (request.isMultipart()) {
      const { file, fields } = await readMultipart(request, 'file');
      const form = (await this.fieldsPipe.transform(fields, {
        type: 'body',
        metatype: CreateDocumentDto,
      })) as CreateDocumentDto;
      if (form.url !== undefined) throw new BadRequestException('url: send a url as JSON, not with a file');
      if (!file) throw new BadRequestException('file: a multipart field named "file" is required');
      return accepted(await this.intake.upload(file, form.title, origin));
    }
    if (body.url !== undefined) return accepted(await this.intake.fromUrl(body.url, body.title, origin));
    throw new BadRequestException(
      'file: upload a file as multipart/form-data (field "file"), or send JSON {"url": "…"}',
    );
  }

  @Get()
  @ApiOperation({ summary: 'Documents, newest first' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', default: 50, minimum: 1, maximum: 200 },
  })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', default: 0, minimum: 0 } })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiOkResponse({ type: DocumentListDto })
  @ApiErrors({ 400: 'limit, offset or status out of range (the message names it)' })
  async list(
    @Query('limit') limitRaw?: string,
    @Query('offset') offsetRaw?: string,
    @Query('status') status?: string,
  ): Promise<DocumentListDto> {
    const limit = intParam('limit', limitRaw, 50, 1, 200);
    const offset = intParam('offset', offsetRaw, 0, 0, 1_000_000_000);
    if (status !== undefined && !STATUSES.includes(status)) {
      throw new BadRequestException(`status must be one of ${STATUSES.join(', ')}`);
    }
    const page = await this.repository.list({ limit, offset, status: status as EmbeddingStatus | undefined });
    return { items: page.items.map((d) => DocumentDto.of(d)), total: page.total, limit, offset };
  }

  @Get('search')
  @ApiOperation({ summary: 'Semantic search over chunks, best first' })
  @ApiQuery({
    name: 'q',
    required: true,
    description: 'Query text, Chinese or English (at most 2000 characters)',
    type: String,
    maxLength: 2000,
    example: '向量 embedding',
  })
  @ApiQuery({ name: 'k', required: false, schema: { type: 'integer', default: 5, minimum: 1, maximum: 50 } })
  @ApiQuery({
    name: 'exact',
    required: false,
    description: 'Compare with every stored vector in full precision instead of the index',
    schema: { type: 'boolean', default: false },
  })
  @ApiQuery({
    name: 'document_id',
    required: false,
    description: 'Only chunks of these documents: repeat the parameter or separate ids with commas',
    schema: { type: 'array', items: { type: 'string', format: 'uuid' } },
    style: 'form',
    explode: true,
  })
  @ApiQuery({
    name: 'title',
    required: false,
    description: 'Only chunks of documents whose title contains this, ignoring case',
    schema: { type: 'string', maxLength: 500 },
  })
  @ApiOkResponse({ type: [SearchHitDto] })
  @ApiErrors({ 400: 'q missing or too long, k out of range, exact not a boolean, a document_id not a UUID' })
  async search(
    @Query('q') q?: string,
    @Query('k') kRaw?: string,
    @Query('exact') exactRaw?: string,
    @Query('document_id') idsRaw?: string | string[],
    @Query('title') title?: string,
  ): Promise<SearchHit[]> {
    if (typeof q !== 'string' || q.trim() === '')
      throw new BadRequestException('q: a query text is required');
    if (q.length > 2000) throw new BadRequestException('q: at most 2000 characters');
    if (title !== undefined && (typeof title !== 'string' || title.length > 500))
      throw new BadRequestException('title: one text of at most 500 characters');
    return this.searcher.search(q.trim(), {
      k: intParam('k', kRaw, 5, 1, 50),
      exact: boolParam('exact', exactRaw),
      documentIds: uuidListParam('document_id', idsRaw),
      title: title === '' ? undefined : title,
    });
  }

  @Post('vectorize')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Queue the (re-)vectorization of many documents as one group; its result lists theirs in order',
  })
  @ApiBody({ type: VectorizeManyDto })
  @ApiAcceptedResponse({ type: WorkflowQueuedDto })
  @ApiErrors({
    ...BROKER_ERRORS,
    ...JSON_BODY_ERRORS,
    400: 'document_ids missing, empty, over 1000, repeated, or not UUIDs (the message names it)',
    404: 'One of the documents does not exist (the message names the first such id)',
    409: 'One of the documents has no file yet (its download has not finished)',
  })
  async vectorizeMany(
    @Body() body: VectorizeManyDto,
    @RequestOrigin() origin: RequestContext,
  ): Promise<WorkflowQueuedDto> {
    const found = new Map((await this.repository.findByIds(body.document_ids)).map((d) => [d.id, d]));
    const documents = body.document_ids.map((id) => {
      const document = found.get(id);
      if (!document) throw documentNotFound(id);
      this.assertVectorizable(document);
      return document;
    });
    const taskId = await this.intake.vectorizeMany(documents, origin);
    return { task_id: taskId, status_url: statusUrl(taskId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One document and the state of its vectorization' })
  @ApiUuidParam('id', 'the document')
  @ApiOkResponse({ type: DocumentDto })
  @ApiErrors({ 404: 'Unknown id' })
  async get(@Param('id', DOCUMENT_ID) id: string): Promise<DocumentDto> {
    return DocumentDto.of(await this.found(id));
  }

  @Post(':id/vectorize')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue (re-)vectorization; the new chunks replace the old ones' })
  @ApiUuidParam('id', 'the document')
  @ApiAcceptedResponse({ type: VectorizeQueuedDto })
  @ApiErrors({
    ...BROKER_ERRORS,
    ...JSON_BODY_ERRORS,
    404: 'Unknown id',
    409: 'Its download has not finished: no file to vectorize yet',
  })
  async vectorize(
    @Param('id', DOCUMENT_ID) id: string,
    @RequestOrigin() origin: RequestContext,
  ): Promise<VectorizeQueuedDto> {
    const document = await this.found(id);
    this.assertVectorizable(document);
    const taskId = await this.intake.revectorize(document, origin);
    return { message: 'Vectorization queued', task_id: taskId, status_url: statusUrl(taskId) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a document with its chunks and its file' })
  @ApiUuidParam('id', 'the document')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 404: 'Unknown id' })
  async remove(@Param('id', DOCUMENT_ID) id: string): Promise<void> {
    if (!(await this.intake.delete(id))) throw documentNotFound(id);
  }

  /** A URL document whose download has not finished has nothing to vectorize yet. */
  private assertVectorizable(document: Document): void {
    if (!document.storedName && document.embeddingStatus !== EmbeddingStatus.Completed) {
      throw new ConflictException(`document ${document.id} has no file yet (its download has not finished)`);
    }
  }

  private async found(id: string): Promise<Document> {
    const document = await this.repository.findById(id);
    if (!document) throw documentNotFound(id);
    return document;
  }
}
