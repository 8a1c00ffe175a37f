import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Document,
  DocumentChunk,
  DocumentIndexChange,
  DocumentsRepository,
  EmbeddingStatus,
  packVector,
  StagedChunk,
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
    sut = new DocumentsRepository(
      ds.getRepository(Document),
      ds.getRepository(DocumentChunk),
      ds.getRepository(DocumentIndexChange),
      ds.getRepository(StagedChunk),
      ds,
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('ran the migration (and nothing was synchronized)', async () => {
    const ran: unknown = await db.dataSource.query('SELECT name FROM migrations');
    expect(ran).toEqual([
      { name: 'CreateDocuments1732780800000' },
      { name: 'CreateIndexChanges1764633600000' },
      { name: 'CreateStagedChunks1767225600000' },
      { name: 'CreateTaskHistory1769904000000' },
      { name: 'CreateSchedules1772582400000' },
      { name: 'CreateTokensAndDevices1772668800000' },
      { name: 'CreateReports1772755200000' },
      { name: 'SplitHistorySearch1772841600000' },
    ]);
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

  it('logs every replace and delete in its transaction, in commit order, even when writers overlap', async () => {
    const before = await sut.lastIndexChange();
    const docs = await Promise.all(
      ['x', 'y', 'z'].map((t) => sut.create({ title: `Log ${t}`, filename: 'x.txt' })),
    );
    await Promise.all(docs.map((d) => sut.replaceChunks(d.id, [chunk('x', [1, 0])], 'model-log')));
    await sut.delete(docs[0].id);
    const changes = await sut.indexChangesAfter(before, 100);
    expect(
      changes
        .map((c) => c.documentId)
        .slice(0, 3)
        .sort(),
    ).toEqual(docs.map((d) => d.id).sort());
    expect(changes[3].documentId).toBe(docs[0].id);
    expect(changes.map((c) => c.seq)).toEqual([...changes.map((c) => c.seq)].sort((a, b) => a - b));
    expect(await sut.lastIndexChange()).toBe(changes[3].seq);
    expect(await sut.indexChangesAfter(changes[1].seq, 1)).toEqual([changes[2]]);
    expect(await sut.embeddingsOf(docs[0].id, 'model-log')).toEqual([]);
    const kept = await sut.embeddingsOf(docs[1].id, 'model-log');
    expect(kept.map((c) => [c.chunkIndex, [...unpackVector(c.embedding)]])).toEqual([[0, [1, 0]]]);
    expect(await sut.embeddingsOf(docs[1].id, 'other-model')).toEqual([]);
    // a failed replace logs nothing
    await expect(
      sut.replaceChunks(
        docs[1].id,
        [{ text: 'bad', embedding: null as unknown as Buffer, dimensions: 1 }],
        'm',
      ),
    ).rejects.toThrow();
    expect(await sut.lastIndexChange()).toBe(changes[3].seq);
  });

  it('finds documents by a part of their title, ignoring case, with LIKE wildcards taken literally', async () => {
    const plain = await sut.create({ title: 'Mitochondria 线粒体 basics', filename: 'a.txt' });
    const percent = await sut.create({ title: '100% literal_title', filename: 'b.txt' });
    expect(await sut.idsByTitle('MITOCHONDRIA 线粒体')).toEqual([plain.id]);
    expect(await sut.idsByTitle('0% lit')).toEqual([percent.id]);
    expect(await sut.idsByTitle('r_l')).toEqual([]);
    expect(await sut.idsByTitle('literal_t')).toEqual([percent.id]);
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
    const found = await sut.chunksByKey([
      { documentId: doc.id, chunkIndex: 5 },
      { documentId: doc.id, chunkIndex: 2099 },
      { documentId: doc.id, chunkIndex: 9999 },
    ]);
    expect(Object.fromEntries([...found].map(([key, c]) => [key, c.text]))).toEqual({
      [`${doc.id}:5`]: 't5',
      [`${doc.id}:2099`]: 't2099',
    });
    expect(Array.from(unpackVector(found.get(`${doc.id}:5`)!.embedding))).toEqual([5, 1]);
    // PostgreSQL reads these rows in the binary format: bytes and UTF-8 text must come back as stored
    const zh = await sut.create({ title: 'zh', filename: 'zh.txt' });
    await sut.replaceChunks(zh.id, [chunk('线粒体是细胞的动力工厂 ✓', [0.25, -1.5, 3])], 'paged-model');
    const read = (await sut.chunksByKey([{ documentId: zh.id, chunkIndex: 0 }])).get(`${zh.id}:0`)!;
    expect(read.text).toBe('线粒体是细胞的动力工厂 ✓');
    expect(Array.from(unpackVector(read.embedding))).toEqual([0.25, -1.5, 3]);
    expect(await sut.chunksByKey([])).toEqual(new Map());
  });
  describe('staged vectorization', () => {
    const vec = (i: number): { chunkIndex: number; embedding: Buffer; dimensions: number } => ({
      chunkIndex: i,
      embedding: packVector(Float32Array.from([i, 1])),
      dimensions: 2,
    });
    const chunkTexts = async (id: string): Promise<string[]> => (await sut.chunksOf(id)).map((c) => c.text);

    it('swaps in a complete generation at once; until then search reads only the old chunks', async () => {
      const doc = await sut.create({ title: 'staged', filename: 's.txt' });
      await sut.replaceChunks(doc.id, [chunk('old', [1, 0])], 'm');
      const before = await sut.lastIndexChange();
      expect(await sut.stageChunks(doc.id, 'gen-1', ['a', 'b', 'c', 'd'])).toBe(true);
      expect(await sut.stagedTexts('gen-1', 1, 3)).toEqual([
        { chunkIndex: 1, text: 'b' },
        { chunkIndex: 2, text: 'c' },
      ]);
      expect(await sut.storeStagedEmbeddings('gen-1', [vec(0), vec(1)], 'm2')).toBe(2);
      // a batch run twice writes the same rows
      expect(await sut.storeStagedEmbeddings('gen-1', [vec(0), vec(1)], 'm2')).toBe(2);
      expect(await sut.stagedCount('gen-1')).toEqual({ staged: 4, embedded: 2 });
      expect(await sut.commitStaged(doc.id, 'gen-1', 4)).toEqual({
        committed: false,
        reason: 'incomplete',
        staged: 4,
        embedded: 2,
        models: 1,
      });
      // nothing partial is visible meanwhile, and nothing was logged for the indexes
      expect(await chunkTexts(doc.id)).toEqual(['old']);
      expect(await sut.embeddingsOf(doc.id, 'm2')).toEqual([]);
      expect(await sut.lastIndexChange()).toBe(before);
      expect(await sut.storeStagedEmbeddings('gen-1', [vec(2), vec(3)], 'm2')).toBe(2);
      expect(await sut.commitStaged(doc.id, 'gen-1', 4)).toEqual({ committed: true, chunks: 4, model: 'm2' });
      expect(await chunkTexts(doc.id)).toEqual(['a', 'b', 'c', 'd']);
      const vectors = await sut.embeddingsOf(doc.id, 'm2');
      expect(vectors.map((c) => [c.chunkIndex, [...unpackVector(c.embedding)]]).sort()).toEqual(
        [0, 1, 2, 3].map((i) => [i, [i, 1]]),
      );
      expect(await sut.findById(doc.id)).toMatchObject({
        embeddingStatus: 'completed',
        chunkCount: 4,
        embeddingModel: 'm2',
      });
      expect(await sut.stagedCount('gen-1')).toEqual({ staged: 0, embedded: 0 });
      expect((await sut.indexChangesAfter(before, 10)).map((c) => c.documentId)).toEqual([doc.id]);
    });

    it('refuses a generation of mixed models or the wrong size, and a document deleted meanwhile', async () => {
      const doc = await sut.create({ title: 'mixed', filename: 'm.txt' });
      await sut.replaceChunks(doc.id, [chunk('old', [1, 0])], 'm');
      await sut.stageChunks(doc.id, 'gen-2', ['a', 'b']);
      await sut.storeStagedEmbeddings('gen-2', [vec(0)], 'm');
      await sut.storeStagedEmbeddings('gen-2', [vec(1)], 'other');
      expect(await sut.commitStaged(doc.id, 'gen-2', 2)).toMatchObject({ committed: false, models: 2 });
      await sut.storeStagedEmbeddings('gen-2', [vec(1)], 'm');
      expect(await sut.commitStaged(doc.id, 'gen-2', 3)).toMatchObject({ committed: false, staged: 2 });
      expect(await chunkTexts(doc.id)).toEqual(['old']);
      // staging again starts the generation afresh
      await sut.stageChunks(doc.id, 'gen-2', ['x']);
      expect(await sut.stagedCount('gen-2')).toEqual({ staged: 1, embedded: 0 });
      await sut.discardStaged('gen-2');
      expect(await sut.stagedCount('gen-2')).toEqual({ staged: 0, embedded: 0 });
      // a batch of a discarded generation finds nothing to write
      expect(await sut.storeStagedEmbeddings('gen-2', [vec(0)], 'm')).toBe(0);
      await sut.stageChunks(doc.id, 'gen-3', ['y']);
      await sut.delete(doc.id);
      expect(await sut.stagedCount('gen-3')).toEqual({ staged: 0, embedded: 0 });
      expect(await sut.commitStaged(doc.id, 'gen-3', 1)).toEqual({
        committed: false,
        reason: 'document-gone',
      });
      expect(await sut.stageChunks(doc.id, 'gen-4', ['z'])).toBe(false);
    });

    it('lets a newer run of a document supersede an older one: its staged rows go', async () => {
      const doc = await sut.create({ title: 'two runs', filename: 't.txt' });
      const other = await sut.create({ title: 'other', filename: 'o.txt' });
      await sut.stageChunks(doc.id, 'run-a', ['a0', 'a1']);
      await sut.stageChunks(other.id, 'run-o', ['o0']);
      await sut.storeStagedEmbeddings('run-a', [vec(0)], 'm');
      await sut.stageChunks(doc.id, 'run-b', ['b0', 'b1', 'b2']);
      expect(await sut.stagedCount('run-a')).toEqual({ staged: 0, embedded: 0 });
      expect(await sut.stagedCount('run-o')).toEqual({ staged: 1, embedded: 0 });
      // the older run's batches find nothing to write, and it cannot be committed
      expect(await sut.storeStagedEmbeddings('run-a', [vec(1)], 'm')).toBe(0);
      expect(await sut.commitStaged(doc.id, 'run-a', 2)).toMatchObject({ committed: false, staged: 0 });
      await sut.storeStagedEmbeddings('run-b', [vec(0), vec(1), vec(2)], 'm');
      expect(await sut.commitStaged(doc.id, 'run-b', 3)).toMatchObject({ committed: true });
      expect(await chunkTexts(doc.id)).toEqual(['b0', 'b1', 'b2']);
      expect((await sut.findById(doc.id))?.chunkCount).toBe(3);
    });
  });
});
