import { Inject, Injectable } from '@nestjs/common';
import { DOCUMENTS_CONFIG, type DocumentsConfig } from '@app/documents';
import { PermanentTaskError } from '@app/tasks';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { basename } from 'node:path';

export interface Downloaded {
  bytes: Buffer;
  /** A file name for type detection: the URL's last path segment, or one made from the content type. */
  filename: string;
}

/** Addresses a URL download may not reach unless DOWNLOAD_ALLOW_PRIVATE is set. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['::ffff:0:0', 96],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
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
 */
@Injectable()
export class DownloaderService {
  constructor(@Inject(DOCUMENTS_CONFIG) private readonly config: DocumentsConfig) {}

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
      await this.checkHost(target.hostname);
      try {
        response = await fetch(target, { redirect: 'manual', signal: combined });
      } catch (error) {
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

  private async checkHost(hostname: string): Promise<void> {
    if (this.config.downloadAllowPrivate) return;
    const host = hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await lookup(host, { all: true });
    for (const { address, family } of addresses) {
      if (PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4')) {
        throw new PermanentTaskError(
          `url: ${hostname} is a private or loopback address (set DOWNLOAD_ALLOW_PRIVATE=true to allow)`,
        );
      }
    }
  }
}
