import { BadRequestException } from '@nestjs/common';
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
 * Reads a `multipart/form-data` request: one file, under `field`, and its text fields. Past the size limit
 * registered with @fastify/multipart, reading throws its 413 error; a file under another name is a 400.
 */
export async function readMultipart(request: FastifyRequest, field: string): Promise<MultipartUpload> {
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
