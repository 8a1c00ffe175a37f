import { BadRequestException, HttpException } from '@nestjs/common';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';

/** The uploaded file, whole in memory (at most UPLOAD_MAX_BYTES: the multipart limits stop it past that). */
export interface UploadedDocumentFile {
  buffer: Buffer;
  originalname: string;
  size: number;
}

export interface MultipartUpload {
  file?: UploadedDocumentFile;
  /** The text fields, by name (the last one wins when a name repeats). */
  fields: Record<string, string>;
}

/**
 * Whether reading the body failed with an answer of its own: our 400 for a file under another name, or one of
 * @fastify/multipart's errors (size and count limits), which carry their status.
 */
function hasStatus(error: unknown): boolean {
  return error instanceof HttpException || typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

/**
 * Reads a `multipart/form-data` request: one file, under `field`, and its text fields. Past the size limit
 * registered with @fastify/multipart, reading throws its 413 error; a file under another name is a 400; so is
 * a body the multipart parser cannot read (no or empty boundary, cut short, not multipart at all), naming why.
 */
export async function readMultipart(request: FastifyRequest, field: string): Promise<MultipartUpload> {
  try {
    return await readParts(request, field);
  } catch (error) {
    if (hasStatus(error)) throw error;
    throw new BadRequestException(
      `Malformed multipart body: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function readParts(request: FastifyRequest, field: string): Promise<MultipartUpload> {
  const upload: MultipartUpload = { fields: {} };
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== field) {
        throw new BadRequestException(
          `Unexpected file field - ${part.fieldname}: send the document as the field "${field}"`,
        );
      }
      const buffer = await part.toBuffer();
      upload.file = { buffer, originalname: part.filename, size: buffer.length };
    } else {
      upload.fields[part.fieldname] = String(part.value);
    }
  }
  return upload;
}
