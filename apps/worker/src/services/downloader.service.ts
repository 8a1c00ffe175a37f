import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { DOCUMENTS_CONFIG, type DocumentsConfig } from '@app/documents';
import { PermanentTaskError } from '@app/tasks';
import { basename } from 'node:path';
import { fetch, type Agent, type Response } from 'undici';
import {
  BlockedAddressError,
  DOWNLOAD_NETWORK,
  checkLiteralHost,
  guardedAgent,
  isPrivateAddress,
  systemResolver,
  type DownloadNetwork,
} from './address-guard.js';

export interface Downloaded {
  bytes: Buffer;
  /** A file name for type detection: the URL's last path segment, or one made from the content type. */
  filename: string;
}

const EXTENSION_BY_MIME: Record<string, string> = {
  'text/html': '.html',
  'text/markdown': '.md',
  'text/plain': '.txt',
  'application/pdf': '.pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
};

const MAX_REDIRECTS = 3;

/** HTTP statuses worth another attempt. */
const TEMPORARY = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Fetches a document from a URL for the URL chain: http(s) only, no private addresses (unless allowed) at any
 * of at most 3 redirects, at most UPLOAD_MAX_BYTES (checked while streaming, not only from Content-Length) and DOWNLOAD_TIMEOUT in all.
 * The address check is made on the address each connection is actually opened to (see `guardedLookup`).
 */
@Injectable()
export class DownloaderService implements OnModuleDestroy {
  private readonly network: DownloadNetwork;
  private readonly agent: Agent;

  constructor(
    @Inject(DOCUMENTS_CONFIG) private readonly config: DocumentsConfig,
    @Optional() @Inject(DOWNLOAD_NETWORK) network?: DownloadNetwork,
  ) {
    this.network = network ?? {
      resolve: systemResolver,
      isBlocked: config.downloadAllowPrivate ? () => false : isPrivateAddress,
    };
    this.agent = guardedAgent(this.network);
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  async download(url: string, signal?: AbortSignal): Promise<Downloaded> {
    const timeout = AbortSignal.timeout(this.config.downloadTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let target = new URL(url);
    let response: Response;
    // redirects are followed by hand, so that every hop's address is checked like the first
    for (let hop = 0; ; hop++) {
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw new PermanentTaskError(`url: only http and https are supported (got ${target.protocol})`);
      }
      try {
        checkLiteralHost(target.hostname, this.network.isBlocked);
        response = await fetch(target, { redirect: 'manual', signal: combined, dispatcher: this.agent });
      } catch (error) {
        const blocked = error instanceof BlockedAddressError ? error : (error as Error).cause;
        if (blocked instanceof BlockedAddressError) throw new PermanentTaskError(blocked.message);
        signal?.throwIfAborted();
        if (timeout.aborted) {
          throw new Error(`download timed out after ${this.config.downloadTimeoutMs} ms`, { cause: error });
        }
        throw new Error(`download failed: ${(error as Error).message}`, { cause: error });
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) break;
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new PermanentTaskError(`url: more than ${MAX_REDIRECTS} redirects`);
      target = new URL(location, target);
    }
    if (!response.ok) {
      const message = `download answered HTTP ${response.status}`;
      if (TEMPORARY.has(response.status)) throw new Error(message);
      throw new PermanentTaskError(message);
    }
    const max = this.config.uploadMaxBytes;
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > max) {
      await response.body?.cancel();
      throw new PermanentTaskError(`file: ${declared} bytes is over UPLOAD_MAX_BYTES (${max})`);
    }
    const bytes = await this.readBounded(response, max, timeout);
    const mime = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const fromPath = basename(decodeURIComponent(target.pathname));
    const filename = /\.[a-z0-9]+$/i.test(fromPath) ? fromPath : `download${EXTENSION_BY_MIME[mime] ?? ''}`;
    return { bytes, filename };
  }

  private async readBounded(response: Response, max: number, timeout: AbortSignal): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    let size = 0;
    try {
      const body = (response.body ?? []) as AsyncIterable<Uint8Array>;
      for await (const part of body) {
        size += part.byteLength;
        if (size > max) throw new PermanentTaskError(`file: over UPLOAD_MAX_BYTES (${max} bytes)`);
        parts.push(part);
      }
    } catch (error) {
      await response.body?.cancel().catch(() => undefined);
      if (error instanceof PermanentTaskError) throw error;
      if (timeout.aborted) {
        throw new Error(`download timed out after ${this.config.downloadTimeoutMs} ms`, { cause: error });
      }
      throw error;
    }
    return Buffer.concat(parts);
  }
}
