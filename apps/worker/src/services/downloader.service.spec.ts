import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DocumentsConfig } from '@app/documents';
import { PermanentTaskError } from '@app/tasks';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DownloadNetwork } from './address-guard.js';
import { DownloaderService } from './downloader.service.js';

const config = (allowPrivate = false): DocumentsConfig => ({
  uploadDir: '/nonexistent',
  uploadMaxBytes: 1024 * 1024,
  downloadTimeoutMs: 10_000,
  downloadAllowPrivate: allowPrivate,
  chunkSize: 500,
  chunkOverlap: 80,
  vectorizeBatchChunks: 50,
});

/**
 * Two local servers on one port: 127.0.0.1 stands for a public address, 127.0.0.2 for a private one (what
 * the injected policy blocks). Each counts the requests it got; `/to/<url>` redirects there.
 */
class Servers {
  readonly hits = { allowed: 0, blocked: 0 };
  private readonly servers: Server[] = [];
  port = 0;

  async start(): Promise<void> {
    for (const [host, which] of [
      ['127.0.0.1', 'allowed'],
      ['127.0.0.2', 'blocked'],
    ] as const) {
      const server = createServer((request, response) => {
        this.hits[which]++;
        const redirect = /^\/to\/(.+)$/.exec(request.url ?? '');
        if (redirect) {
          response.writeHead(302, { location: decodeURIComponent(redirect[1]) }).end();
        } else {
          response.writeHead(200, { 'content-type': 'text/plain' }).end(`served by the ${which} address`);
        }
      });
      await new Promise<void>((done) => server.listen(this.port, host, done));
      this.port = (server.address() as AddressInfo).port;
      this.servers.push(server);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise((done) => s.close(done))));
  }
}

/** A DNS server in a function: answers from a table of names, one answer list per call, counting calls. */
function fakeNetwork(answers: Record<string, string[][]>): DownloadNetwork & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    resolve: (hostname) => {
      calls.push(hostname);
      const list = answers[hostname];
      if (!list)
        return Promise.reject(Object.assign(new Error(`no such name ${hostname}`), { code: 'ENOTFOUND' }));
      const seen = calls.filter((c) => c === hostname).length;
      const addresses = list[Math.min(seen, list.length) - 1];
      return Promise.resolve(addresses.map((address): LookupAddress => ({ address, family: 4 })));
    },
    isBlocked: (address) => address === '127.0.0.2',
  };
}

describe('DownloaderService: the address check is made on the address connected to', () => {
  const servers = new Servers();
  const services: DownloaderService[] = [];
  const downloader = (network?: DownloadNetwork, allowPrivate = false): DownloaderService => {
    const service = new DownloaderService(config(allowPrivate), network);
    services.push(service);
    return service;
  };
  const url = (host: string, path = '/doc.txt'): string => `http://${host}:${servers.port}${path}`;
  const via = (to: string): string => `/to/${encodeURIComponent(to)}`;

  beforeAll(() => servers.start());
  afterAll(async () => {
    await Promise.all(services.map((s) => s.onModuleDestroy()));
    await servers.stop();
  });
  beforeEach(() => {
    servers.hits.allowed = 0;
    servers.hits.blocked = 0;
  });

  it('resolves a name once per connection: a name that rebinds to a private address after the check never reaches it', async () => {
    // first answer public, every later one private: a check that resolved apart from the connection would pass
    const network = fakeNetwork({ 'rebind.test': [['127.0.0.1'], ['127.0.0.2']] });
    const { bytes } = await downloader(network).download(url('rebind.test'));
    expect(bytes.toString()).toBe('served by the allowed address');
    expect(network.calls).toEqual(['rebind.test']);
    expect(servers.hits).toEqual({ allowed: 1, blocked: 0 });
  });

  it('refuses a name that resolves to a private address, without connecting', async () => {
    const network = fakeNetwork({ 'inside.test': [['127.0.0.2']] });
    await expect(downloader(network).download(url('inside.test'))).rejects.toThrow(
      new PermanentTaskError(
        'url: inside.test is a private or loopback address (127.0.0.2; set DOWNLOAD_ALLOW_PRIVATE=true to allow)',
      ),
    );
    expect(servers.hits.blocked).toBe(0);
  });

  it('refuses a name with a private address among its answers', async () => {
    const network = fakeNetwork({ 'mixed.test': [['127.0.0.1', '127.0.0.2']] });
    await expect(downloader(network).download(url('mixed.test'))).rejects.toThrow(/mixed\.test is a private/);
    expect(servers.hits).toEqual({ allowed: 0, blocked: 0 });
  });

  it('checks every redirect hop at connect time: a name, then a literal address', async () => {
    const network = fakeNetwork({
      'public.test': [['127.0.0.1']],
      'rebind.test': [['127.0.0.1'], ['127.0.0.2']],
    });
    const service = downloader(network);
    // the redirect target's name answered public once before (a check at redirect time), private when connecting
    await network.resolve('rebind.test');
    await expect(service.download(url('public.test', via(url('rebind.test'))))).rejects.toThrow(
      /rebind\.test is a private or loopback address \(127\.0\.0\.2/,
    );
    await expect(service.download(url('public.test', via(url('127.0.0.2'))))).rejects.toThrow(
      /127\.0\.0\.2 is a private or loopback address/,
    );
    expect(servers.hits).toEqual({ allowed: 2, blocked: 0 });
  });

  it('follows redirects between allowed hosts, each connection resolved once', async () => {
    const network = fakeNetwork({ 'a.test': [['127.0.0.1']], 'b.test': [['127.0.0.1']] });
    const { bytes, filename } = await downloader(network).download(
      url('a.test', via(url('b.test', '/notes.txt'))),
    );
    expect(bytes.toString()).toBe('served by the allowed address');
    expect(filename).toBe('notes.txt');
    expect(network.calls).toEqual(['a.test', 'b.test']);
  });

  it('by default, the system resolver and the private ranges: localhost and 127.0.0.1 refused unless allowed', async () => {
    await expect(downloader().download(url('localhost'))).rejects.toThrow(
      /localhost is a private or loopback address/,
    );
    await expect(downloader().download(url('127.0.0.1'))).rejects.toThrow(
      /127\.0\.0\.1 is a private or loopback/,
    );
    expect(servers.hits.allowed).toBe(0);
    const { bytes } = await downloader(undefined, true).download(url('127.0.0.1'));
    expect(bytes.toString()).toBe('served by the allowed address');
  });
});
