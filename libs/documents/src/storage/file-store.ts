import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { DocumentsConfig } from '../config/documents.config.js';
import { DOCUMENTS_CONFIG } from '../tokens.js';

/** Our stored names only: a document id and a known extension. Nothing a client sends ever reaches a path. */
const STORED_NAME = /^[0-9a-f-]{36}\.(txt|md|html|pdf|docx)$/;

/**
 * The files under `UPLOAD_DIR`, named `<document id>.<ext>` by us. Writes go to a temporary name first and are
 * renamed into place, so a crash never leaves half a file under a real name.
 */
@Injectable()
export class FileStore {
  readonly root: string;

  constructor(@Inject(DOCUMENTS_CONFIG) config: DocumentsConfig) {
    this.root = resolve(config.uploadDir);
  }

  static storedName(documentId: string, extension: string): string {
    return `${documentId}.${extension}`;
  }

  private path(storedName: string): string {
    if (!STORED_NAME.test(storedName)) throw new Error(`not a stored file name: ${storedName}`);
    const path = join(this.root, storedName);
    if (!path.startsWith(this.root + sep)) throw new Error(`path escapes the upload folder: ${storedName}`);
    return path;
  }

  async write(storedName: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(storedName);
    await mkdir(this.root, { recursive: true });
    const temporary = join(this.root, `.${randomUUID()}.part`);
    await writeFile(temporary, bytes, { flag: 'wx' });
    await rename(temporary, path);
  }

  read(storedName: string): Promise<Buffer> {
    return readFile(this.path(storedName));
  }

  async remove(storedName: string): Promise<void> {
    await rm(this.path(storedName), { force: true });
  }
}
