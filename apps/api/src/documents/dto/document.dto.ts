import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DOCUMENT_TYPES, EmbeddingStatus, type Document } from '@app/documents';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';

/** At most this many documents per `POST /documents/vectorize`. */
export const VECTORIZE_MANY_MAX = 1000;

/** Multipart fields of `POST /documents` beside `file`, or the JSON body `{url, title?}`. */
export class CreateDocumentDto {
  @ApiPropertyOptional({ description: 'Title; defaults to the file name', maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  title?: string;

  @ApiPropertyOptional({
    description:
      'JSON body only: download the document from this URL (download → extract → vectorize → save)',
    example: 'https://example.org/lesson.pdf',
  })
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http(s) URL' },
  )
  @MaxLength(2000)
  url?: string;
}

const TITLE = { description: 'Title; defaults to the file name', maxLength: 500 } as const;

/** Swagger shape of the multipart body. */
export class UploadDocumentDto {
  @ApiProperty({ type: 'string', format: 'binary', description: '.txt, .md, .html, .pdf or .docx' })
  file!: unknown;

  @ApiPropertyOptional(TITLE) title?: string;
}

/** Swagger shape of the JSON body: a document to download (checked as `CreateDocumentDto`). */
export class DocumentFromUrlDto {
  @ApiProperty({
    description: 'Download the document from this http(s) URL (download → extract → vectorize → save)',
    format: 'uri',
    maxLength: 2000,
    example: 'https://example.org/lesson.pdf',
  })
  url!: string;

  @ApiPropertyOptional(TITLE) title?: string;
}

export class AcceptedDocumentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'lesson-1.pdf' }) filename!: string;
  @ApiProperty({ enum: Object.values(EmbeddingStatus), example: 'pending' }) embedding_status!: string;
  @ApiProperty({
    format: 'uuid',
    description: 'The chain working on it (download →) extract → vectorize → save: one status for all steps',
  })
  task_id!: string;
  @ApiProperty({ example: '/tasks/5c0e…' }) status_url!: string;
}

export class VectorizeQueuedDto {
  @ApiProperty({ example: 'Vectorization queued' }) message!: string;
  @ApiProperty({ format: 'uuid' }) task_id!: string;
  @ApiProperty({ example: '/tasks/5c0e…' }) status_url!: string;
}

/** `POST /documents/vectorize`: the documents to vectorize as one group. */
export class VectorizeManyDto {
  @ApiProperty({
    description: `The documents, each at most once, in the order of the group's results (1–${VECTORIZE_MANY_MAX})`,
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: VECTORIZE_MANY_MAX,
    uniqueItems: true,
    example: ['3b241101-e2bb-4255-8caf-4136c566a962'],
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(VECTORIZE_MANY_MAX)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  document_ids!: string[];
}

export class WorkflowQueuedDto {
  @ApiProperty({
    format: 'uuid',
    description:
      "The group's id: `GET /tasks/{task_id}` gives its progress, its members and, once done, the list of their results",
  })
  task_id!: string;
  @ApiProperty({ example: '/tasks/5c0e…' }) status_url!: string;
}

export class DocumentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: "The client's file name (display only)" }) filename!: string;
  @ApiProperty({ type: String, nullable: true, enum: [...DOCUMENT_TYPES, null] }) doc_type!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'application/pdf' }) mime_type!: string | null;
  @ApiProperty({ type: 'integer', description: 'Bytes' }) size!: number;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the file, hex' }) content_hash!:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Where it was downloaded from' }) source_url!:
    string | null;
  @ApiProperty({ enum: Object.values(EmbeddingStatus) }) embedding_status!: string;
  @ApiProperty({ type: 'integer' }) chunk_count!: number;
  @ApiProperty({ type: String, nullable: true, description: 'failed: why' }) error!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Provider/model id of the stored vectors' })
  embedding_model!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The last task or workflow queued for it (its pipeline chain, a vectorization, or a group)',
  })
  task_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;

  static of(d: Document): DocumentDto {
    return {
      id: d.id,
      title: d.title,
      filename: d.filename,
      doc_type: d.docType,
      mime_type: d.mimeType,
      size: d.size,
      content_hash: d.contentHash,
      source_url: d.sourceUrl,
      embedding_status: d.embeddingStatus,
      chunk_count: d.chunkCount,
      error: d.error,
      embedding_model: d.embeddingModel,
      task_id: d.taskId,
      created_at: new Date(d.createdAt).toISOString(),
      updated_at: new Date(d.updatedAt).toISOString(),
    };
  }
}

export class DocumentListDto {
  @ApiProperty({ type: [DocumentDto] }) items!: DocumentDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
}

export class SearchHitDto {
  @ApiProperty({ format: 'uuid' }) document_id!: string;
  @ApiProperty({ type: 'integer' }) chunk_index!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'The ranking score, higher is closer' }) score!: number;
  @ApiProperty({ description: "Cosine similarity of the query's and the chunk's vectors" })
  vector_score!: number;
}
