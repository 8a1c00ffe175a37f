import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { SearchConfig } from '../config/search.config.js';
import { DocumentsRepository } from '../documents.repository.js';
import { EmbeddingService } from '../embedding/embedding.service.js';
import { SEARCH_CONFIG } from '../tokens.js';
import type { IndexHit, IndexQuery, IndexStats } from './flat-index.js';
import { IndexOwner, type IndexAnswer, type IndexOp } from './index-ops.js';

/** Compiled thread entry; absent when running from TypeScript sources (unit tests), then the index is inline. */
const THREAD_FILE = new URL('./index.thread.js', import.meta.url);
/** Changes applied per look at the log. */
const CHANGES_PER_TICK = 500;

/**
 * This process's vector index over the chunks of the current embedding provider. Built from the database in
 * the background at start-up (searches are exact until it is ready), then kept in step with the change log
 * that `DocumentsRepository` writes in the same transaction as every change: each API replica follows the log
 * on its own, and a restart, or a crash in the middle of an update, simply builds it again from the database.
 * The index lives on a thread of its own, so a scan never holds the event loop.
 */
@Injectable()
export class VectorIndexService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(VectorIndexService.name);
  private readonly pool: Piscina | undefined;
  private readonly inline = new IndexOwner();
  private seq = 0;
  private size = 0;
  private ready = false;
  private stopped = false;
  private following: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    @Inject(SEARCH_CONFIG) private readonly config: SearchConfig,
    private readonly repository: DocumentsRepository,
    private readonly embeddings: EmbeddingService,
  ) {
    const threaded = config.index !== 'none' && existsSync(fileURLToPath(THREAD_FILE));
    this.pool = threaded
      ? new Piscina({ filename: THREAD_FILE.href, minThreads: 1, maxThreads: 1, idleTimeout: Infinity })
      : undefined;
  }

  /** True once built: until then (and with `SEARCH_INDEX=none`) search reads the database. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Whether the index keeps the chunks' keywords too (hybrid ranking). */
  get hybrid(): boolean {
    return this.config.keywordWeight > 0;
  }

  /** Chunks in the index, as of its last build or change. */
  get chunks(): number {
    return this.size;
  }

  /** The change log position the index reflects. */
  get position(): number {
    return this.seq;
  }

  onApplicationBootstrap(): void {
    if (this.config.index === 'none') return;
    this.following = this.build().then(() => this.follow());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.following;
    await this.pool?.destroy();
  }

  /**
   * Searches the index once it has applied the whole change log, so that a search sees every change committed
   * before it began (one cheap query when nothing changed).
   */
  async search(query: IndexQuery): Promise<IndexHit[]> {
    await this.catchUp();
    return (await this.run({ op: 'search', query })) as IndexHit[];
  }

  async stats(): Promise<IndexStats> {
    return (await this.run({ op: 'stats' })) as IndexStats;
  }

  private run(request: IndexOp): Promise<IndexAnswer> {
    return this.pool
      ? (this.pool.run(request) as Promise<IndexAnswer>)
      : Promise.resolve(this.inline.apply(request));
  }

  /** Everything up to the log's current end: changes made during the scan are applied again by `follow`. */
  private async build(): Promise<void> {
    const started = Date.now();
    for (;;) {
      try {
        this.seq = await this.repository.lastIndexChange();
        await this.run({ op: 'reset' });
        let skipped = 0;
        for await (const page of this.repository.scanEmbeddings(this.embeddings.providerId, this.hybrid)) {
          if (this.stopped) return;
          skipped += (await this.run({ op: 'add', rows: page })) as number;
        }
        const { chunks, bytes } = await this.stats();
        this.size = chunks;
        const mib = (bytes / 2 ** 20).toFixed(1);
        this.logger.log(
          `search index ready: ${chunks} chunks of ${this.embeddings.providerId}, ${mib} MiB, ` +
            `${Date.now() - started} ms${skipped ? `; ${skipped} of other dimensions left out` : ''}`,
        );
        this.ready = true;
        return;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn(`search index build failed, retrying: ${(error as Error).message}`);
        await sleep(1000);
      }
    }
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.catchUp();
        await sleep(this.config.pollMs);
      } catch (error) {
        this.logger.warn(`search index update failed, retrying: ${(error as Error).message}`);
        await sleep(1000);
      }
    }
  }

  /**
   * Applies the log to its end. Passes never overlap (changes apply in order); a caller arriving during a pass
   * waits for the next one, which starts after it and so sees what was committed before the caller came, and
   * every caller arriving meanwhile shares that next pass.
   */
  private catchUp(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) {
      this.running = this.pass().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.catchUp();
      });
    return this.queued;
  }

  private async pass(): Promise<void> {
    while ((await this.applyChanges()) === CHANGES_PER_TICK);
  }

  /** Applies the next changes of the log: each changed document's chunks are read again, or dropped. */
  private async applyChanges(): Promise<number> {
    const changes = await this.repository.indexChangesAfter(this.seq, CHANGES_PER_TICK);
    if (changes.length === 0) return 0;
    for (const documentId of new Set(changes.map((c) => c.documentId))) {
      const rows = await this.repository.embeddingsOf(documentId, this.embeddings.providerId, this.hybrid);
      this.size = (await this.run({ op: 'replace', documentId, rows })) as number;
    }
    this.seq = changes[changes.length - 1].seq;
    return changes.length;
  }
}
