import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { DocumentType } from '../entities/document.entity.js';
import { extractText, ExtractionError } from './extract-text.js';
import type { ExtractReply, ExtractRequest } from './extraction.thread.js';

const THREAD_FILE = new URL('./extraction.thread.js', import.meta.url);

/**
 * Text extraction on a worker thread (started on first use, ended after a minute idle), so that parsing a
 * large PDF never stalls the event loop that renews the job's lock. Runs inline from TypeScript sources.
 */
@Injectable()
export class ExtractionService implements OnModuleDestroy {
  private pool: Piscina | undefined;

  async extract(bytes: Uint8Array, type: DocumentType, signal?: AbortSignal): Promise<string> {
    if (!existsSync(fileURLToPath(THREAD_FILE))) return extractText(bytes, type);
    this.pool ??= new Piscina({
      filename: THREAD_FILE.href,
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: 60_000,
    });
    const request: ExtractRequest = { bytes, type };
    const reply = (await this.pool.run(request, { signal })) as ExtractReply;
    if ('unreadable' in reply) throw new ExtractionError(reply.unreadable);
    return reply.text;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
  }
}
