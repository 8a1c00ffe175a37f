import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Document,
  DocumentChunk,
  DocumentsRepository,
  EmbeddingStatus,
  packVector,
  unpackVector,
  type NewChunk,
} from '@app/documents';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../utils/databases.js';

const chunk = (text: string, values: number[]): NewChunk => {
  const v = Float32Array.from(values);
  return { text, embedding: packVector(v), dimensions: v.length };
};

describe.each([
  ['SQLite', sqliteDatabase],
  ['PostgreSQL', postgresDatabase],
])('DocumentsRepository on %s', (_name, open) => {
  let db: TestDatabase;
  let sut: DocumentsRepository;

  beforeAll(async () => {
    db = await open();
    const ds = db.dataSource;
    sut = new DocumentsRepository(ds.getRepository(Document), ds.getRepository(DocumentChunk), ds);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('ran the migration (and nothing was synchronized)', async () => {
    const ran: unknown = await db.dataSource.query('SELECT name FROM migrations');
    expect(ran).toEqual([{ name: 'CreateDocuments1732780800000' }]);
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it('creates a pending document and reads it back', async () => {
    const doc = await sut.create({ title: '欧姆定律', filename: 'ohm.txt', size: 12, docType: 'txt' });
    expect(doc).toMatchObject({
      title: '欧姆定律',
      filename: 'ohm.txt',
      embeddingStatus: EmbeddingStatus.Pending,
      chunkCount: 0,
      error: null,
    });
    expect(doc.createdAt).toBeInstanceOf(Date);
    expect((await sut.findById(doc.id))?.content).toBeUndefined();
    await sut.setContent(doc.id, '电流等于电压除以电阻。');
    expect((await sut.findWithContent(doc.id))?.content).toBe('电流等于电压除以电阻。');
  });

  it('replaces chunks in one go: a re-run never duplicates, vectors survive byte for byte', async () => {
    const doc = await sut.create({ title: 't', filename: 't.txt' });
    await sut.markProcessing(doc.id);
    expect((await sut.findById(doc.id))?.embeddingStatus).toBe('processing');
    const first = [chunk('a', [1, 0, 0]), chunk('b', [0, 1, 0]), chunk('c', [0, 0, 1])];
    expect(await sut.replaceChunks(doc.id, first, 'model-x')).toBe(true);
    expect(await sut.replaceChunks(doc.id, first.slice(0, 2), 'model-x')).toBe(true);
    const stored = await sut.chunksOf(doc.id);
    expect(stored.map((c) => [c.chunkIndex, c.text])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(await sut.findById(doc.id)).toMatchObject({
      embeddingStatus: 'completed',
      chunkCount: 2,
      embeddingModel: 'model-x',
    });
    const scanned = [];
    for await (const page of sut.scanEmbeddings('model-x')) scanned.push(...page);
    const mine = scanned.filter((c) => c.documentId === doc.id).sort((x, y) => x.chunkIndex - y.chunkIndex);
    expect(mine.map((c) => [...unpackVector(c.embedding)])).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('keeps the old chunks when the replacing transaction fails', async () => {
    const doc = await sut.create({ title: 't', filename: 't.txt' });
    await sut.replaceChunks(doc.id, [chunk('old', [1, 1])], 'm');
    const broken = {
      text: null as unknown as string,
      embedding: packVector(Float32Array.from([1])),
      dimensions: 1,
    };
    await expect(sut.replaceChunks(doc.id, [chunk('new', [2, 2]), broken], 'm')).rejects.toThrow();
    expect((await sut.chunksOf(doc.id)).map((c) => c.text)).toEqual(['old']);
  });

  it('refuses chunks for a document deleted meanwhile, and deletes chunks with their document', async () => {
    const doc = await sut.create({ title: 't', filename: 't.txt' });
    await sut.replaceChunks(doc.id, [chunk('x', [1])], 'm');
    expect((await sut.delete(doc.id))?.id).toBe(doc.id);
    expect(await sut.delete(doc.id)).toBeNull();
    expect(await sut.chunksOf(doc.id)).toEqual([]);
    expect(await sut.replaceChunks(doc.id, [chunk('y', [1])], 'm')).toBe(false);
    expect(await db.dataSource.getRepository(DocumentChunk).countBy({ documentId: doc.id })).toBe(0);
  });

  it('records failures and lists newest first with a status filter', async () => {
    const failed = await sut.create({ title: 'f', filename: 'f.txt' });
    await sut.markFailed(failed.id, 'boom');
    const byStatus = await sut.list({ limit: 10, offset: 0, status: EmbeddingStatus.Failed });
    expect(byStatus.items.map((d) => [d.id, d.error])).toEqual([[failed.id, 'boom']]);
    const all = await sut.list({ limit: 2, offset: 0 });
    expect(all.total).toBeGreaterThanOrEqual(4);
    expect(all.items).toHaveLength(2);
  });

  it('scans embeddings of one model only, across pages, and reads texts by key', async () => {
    const doc = await sut.create({ title: 'many', filename: 'many.txt' });
    const many = Array.from({ length: 2100 }, (_, i) => chunk(`t${i}`, [i, 1]));
    await sut.replaceChunks(doc.id, many, 'paged-model');
    let count = 0;
    let pages = 0;
    for await (const page of sut.scanEmbeddings('paged-model')) {
      count += page.length;
      pages++;
    }
    expect([count, pages]).toEqual([2100, 2]);
    const texts = await sut.chunkTexts([
      { documentId: doc.id, chunkIndex: 5 },
      { documentId: doc.id, chunkIndex: 2099 },
    ]);
    expect(Object.fromEntries(texts)).toEqual({ [`${doc.id}:5`]: 't5', [`${doc.id}:2099`]: 't2099' });
  });
});
