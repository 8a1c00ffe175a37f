import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import {
  DOCUMENTS_CONFIG,
  DocumentsRepository,
  EmbeddingService,
  ExtractionError,
  ExtractionService,
  FileStore,
  PermanentEmbeddingError,
  TemporaryEmbeddingError,
  type CommitOutcome,
  type Document,
  type NewChunk,
  type StagedChunk,
  type StagedEmbedding,
} from '@app/documents';
import { PermanentTaskError, type VectorizeBatchResult } from '@app/tasks';
import { VectorizerService } from './vectorizer.service.js';

const DOC_ID = '5b0c2a57-7d4e-4c2a-9b39-0f1f2d3c4b5a';

function documentWith(fields: Partial<Document>): Document {
  return {
    id: DOC_ID,
    title: 't',
    filename: 't.txt',
    storedName: `${DOC_ID}.txt`,
    docType: 'txt',
    content: null,
    ...fields,
  } as Document;
}

describe(VectorizerService.name, () => {
  let sut: VectorizerService;
  const mocks = {
    repository: {
      findWithContent: jest.fn<(id: string) => Promise<Document | null>>(),
      markProcessing: jest.fn<(id: string) => Promise<void>>(),
      markFailed: jest.fn<(id: string, error: string) => Promise<void>>(),
      setContent: jest.fn<(id: string, text: string) => Promise<void>>(),
      replaceChunks: jest.fn<(id: string, chunks: readonly NewChunk[], model: string) => Promise<boolean>>(),
      stageChunks: jest.fn<(id: string, generation: string, texts: readonly string[]) => Promise<boolean>>(),
      stagedTexts:
        jest.fn<
          (
            generation: string,
            start: number,
            end: number,
          ) => Promise<Pick<StagedChunk, 'chunkIndex' | 'text'>[]>
        >(),
      storeStagedEmbeddings:
        jest.fn<(generation: string, rows: readonly StagedEmbedding[], model: string) => Promise<number>>(),
      commitStaged: jest.fn<(id: string, generation: string, expected: number) => Promise<CommitOutcome>>(),
      discardStaged: jest.fn<(generation: string) => Promise<void>>(),
    },
    embeddings: {
      providerId: 'test-model',
      batchSize: 4,
      embed: jest.fn<(texts: readonly string[]) => Promise<Float32Array[]>>(),
    },
    extraction: {
      extract: jest.fn<(bytes: Uint8Array, type: string, signal?: AbortSignal) => Promise<string>>(),
    },
    files: { read: jest.fn<(name: string) => Promise<Buffer>>() },
  };

  beforeEach(async () => {
    jest.clearAllMocks();
    mocks.repository.markProcessing.mockResolvedValue();
    mocks.repository.markFailed.mockResolvedValue();
    mocks.repository.setContent.mockResolvedValue();
    mocks.repository.replaceChunks.mockResolvedValue(true);
    mocks.repository.stageChunks.mockResolvedValue(true);
    mocks.repository.storeStagedEmbeddings.mockImplementation((_g, rows) => Promise.resolve(rows.length));
    mocks.repository.discardStaged.mockResolvedValue();
    mocks.embeddings.embed.mockImplementation((texts) =>
      Promise.resolve(texts.map((t) => Float32Array.from([t.length, 1]))),
    );
    const module = await Test.createTestingModule({
      providers: [
        VectorizerService,
        { provide: DocumentsRepository, useValue: mocks.repository },
        { provide: EmbeddingService, useValue: mocks.embeddings },
        { provide: ExtractionService, useValue: mocks.extraction },
        { provide: FileStore, useValue: mocks.files },
        {
          provide: DOCUMENTS_CONFIG,
          useValue: { chunkSize: 60, chunkOverlap: 10, vectorizeBatchChunks: 5 },
        },
      ],
    }).compile();
    sut = module.get(VectorizerService);
  });

  it('marks processing, chunks, embeds with progress and replaces the chunks in one call', async () => {
    const text = Array.from({ length: 60 }, (_, i) => `第${i}句话讲一个知识点。`).join('');
    mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: text }));
    const progress: [number, number][] = [];
    const result = await sut.run(DOC_ID, {
      onProgress: (done, total) => {
        progress.push([done, total]);
        return Promise.resolve();
      },
    });
    const [, chunks, model] = mocks.repository.replaceChunks.mock.calls[0];
    expect(result).toEqual({
      result: { success: true, document_id: DOC_ID, embeddings_count: chunks.length },
    });
    expect(model).toBe('test-model');
    expect(chunks.length).toBeGreaterThan(8);
    expect(chunks[0].dimensions).toBe(2);
    expect(chunks[0].embedding.readFloatLE(0)).toBe(chunks[0].text.length);
    expect(progress[0]).toEqual([0, chunks.length]);
    expect(progress.at(-1)).toEqual([chunks.length, chunks.length]);
    expect(progress.map(([done]) => done)).toEqual([
      0,
      ...Array.from({ length: Math.ceil(chunks.length / 4) }, (_, i) => Math.min((i + 1) * 4, chunks.length)),
    ]);
    expect(mocks.embeddings.embed.mock.calls.every(([texts]) => texts.length <= 4)).toBe(true);
    expect(mocks.repository.markProcessing.mock.invocationCallOrder[0]).toBeLessThan(
      mocks.repository.replaceChunks.mock.invocationCallOrder[0],
    );
    expect(mocks.repository.markFailed).not.toHaveBeenCalled();
  });

  it('extracts the stored file when there is no text yet, and keeps the text', async () => {
    mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: null, docType: 'pdf' }));
    mocks.files.read.mockResolvedValue(Buffer.from('%PDF-'));
    mocks.extraction.extract.mockResolvedValue('Extracted text.');
    await sut.run(DOC_ID);
    expect(mocks.extraction.extract).toHaveBeenCalledWith(Buffer.from('%PDF-'), 'pdf', undefined);
    expect(mocks.repository.setContent).toHaveBeenCalledWith(DOC_ID, 'Extracted text.');
  });

  it('fails permanently for a missing document, without touching anything', async () => {
    mocks.repository.findWithContent.mockResolvedValue(null);
    await expect(sut.run(DOC_ID)).rejects.toThrow(PermanentTaskError);
    expect(mocks.repository.markProcessing).not.toHaveBeenCalled();
  });

  it('marks the document failed and rethrows a temporary error for the retry policy', async () => {
    mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: 'Some text.' }));
    mocks.embeddings.embed.mockRejectedValue(new TemporaryEmbeddingError('server busy'));
    const error = await sut.run(DOC_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporaryEmbeddingError);
    expect(error).not.toBeInstanceOf(PermanentTaskError);
    expect(mocks.repository.markFailed).toHaveBeenCalledWith(DOC_ID, 'server busy');
    expect(mocks.repository.replaceChunks).not.toHaveBeenCalled();
  });

  it('turns unreadable files and refused embedding requests into permanent failures', async () => {
    mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: null }));
    mocks.files.read.mockResolvedValue(Buffer.from('x'));
    mocks.extraction.extract.mockRejectedValue(new ExtractionError('no text found'));
    await expect(sut.run(DOC_ID)).rejects.toThrow(PermanentTaskError);
    mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: 'Text.' }));
    mocks.embeddings.embed.mockRejectedValue(new PermanentEmbeddingError('401 bad key'));
    await expect(sut.run(DOC_ID)).rejects.toThrow(PermanentTaskError);
    expect(mocks.repository.markFailed).toHaveBeenCalledWith(DOC_ID, '401 bad key');
  });

  it('fails permanently when the document is deleted while it is vectorized', async () => {
    mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: 'Text.' }));
    mocks.repository.replaceChunks.mockResolvedValue(false);
    await expect(sut.run(DOC_ID)).rejects.toThrow(/deleted while it was vectorized/);
  });
  describe('large documents, in batches', () => {
    const text = Array.from({ length: 60 }, (_, i) => `第${i}句话讲一个知识点。`).join('');
    const batch = (start: number, end: number, generation = 'gen'): VectorizeBatchResult => ({
      document_id: DOC_ID,
      generation,
      start,
      end,
      embedded: end - start,
      embedding_model: 'test-model',
    });

    it('stages the chunks and plans batches of VECTORIZE_BATCH_CHUNKS instead of embedding them', async () => {
      mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: text }));
      const outcome = await sut.run(DOC_ID, { generation: 'gen' });
      expect(mocks.embeddings.embed).not.toHaveBeenCalled();
      expect(mocks.repository.replaceChunks).not.toHaveBeenCalled();
      const [id, generation, texts] = mocks.repository.stageChunks.mock.calls[0];
      expect([id, generation]).toEqual([DOC_ID, 'gen']);
      expect(texts.length).toBeGreaterThan(10);
      expect(outcome).toEqual({
        plan: {
          documentId: DOC_ID,
          generation: 'gen',
          chunks: texts.length,
          batches: Array.from({ length: Math.ceil(texts.length / 5) }, (_, i) => [
            i * 5,
            Math.min(i * 5 + 5, texts.length),
          ]),
        },
      });
    });

    it('stays one run without a generation, or when the chunks fit one batch', async () => {
      mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: text }));
      expect(await sut.run(DOC_ID)).toHaveProperty('result');
      mocks.repository.findWithContent.mockResolvedValue(documentWith({ content: 'One. Two.' }));
      expect(await sut.run(DOC_ID, { generation: 'gen' })).toHaveProperty('result');
      expect(mocks.repository.stageChunks).not.toHaveBeenCalled();
    });

    it('embeds a batch into its staged rows, with progress, and reports its range', async () => {
      mocks.repository.stagedTexts.mockResolvedValue(
        ['aa', 'bbb', 'c', 'dddd', 'eeeee'].map((t, i) => ({ chunkIndex: 10 + i, text: t })),
      );
      const progress: number[] = [];
      const result = await sut.embedBatch(DOC_ID, 'gen', 10, 15, {
        onProgress: (done) => {
          progress.push(done);
          return Promise.resolve();
        },
      });
      expect(result).toEqual(batch(10, 15));
      expect(progress).toEqual([0, 4, 5]);
      const [generation, rows, model] = mocks.repository.storeStagedEmbeddings.mock.calls[0];
      expect([generation, model]).toEqual(['gen', 'test-model']);
      expect(rows.map((r) => [r.chunkIndex, r.embedding.readFloatLE(0)])).toEqual([
        [10, 2],
        [11, 3],
        [12, 1],
        [13, 4],
        [14, 5],
      ]);
      expect(mocks.repository.markProcessing).not.toHaveBeenCalled();
      expect(mocks.repository.replaceChunks).not.toHaveBeenCalled();
    });

    it('fails a batch whose chunks are no longer staged permanently', async () => {
      mocks.repository.stagedTexts.mockResolvedValue([{ chunkIndex: 0, text: 'a' }]);
      await expect(sut.embedBatch(DOC_ID, 'gen', 0, 2)).rejects.toThrow(/not staged/);
      mocks.repository.stagedTexts.mockResolvedValue([{ chunkIndex: 0, text: 'a' }]);
      mocks.repository.storeStagedEmbeddings.mockResolvedValue(0);
      await expect(sut.embedBatch(DOC_ID, 'gen', 0, 1)).rejects.toThrow(/was removed while/);
      // a deletion, or a newer run: not this document's failure
      expect(mocks.repository.markFailed).not.toHaveBeenCalled();
      expect(mocks.repository.discardStaged).not.toHaveBeenCalled();
    });

    it('keeps the run staged when a batch fails (a retry goes on with it)', async () => {
      mocks.repository.stagedTexts.mockResolvedValue([{ chunkIndex: 0, text: 'a' }]);
      mocks.embeddings.embed.mockRejectedValue(new PermanentEmbeddingError('400 bad input'));
      await expect(sut.embedBatch(DOC_ID, 'gen', 0, 1)).rejects.toThrow(PermanentTaskError);
      expect(mocks.repository.markFailed).toHaveBeenCalledWith(DOC_ID, '400 bad input');
      expect(mocks.repository.discardStaged).not.toHaveBeenCalled();
    });

    it('marks a retried batch processing again; a temporary error stays temporary', async () => {
      mocks.repository.stagedTexts.mockResolvedValue([{ chunkIndex: 0, text: 'a' }]);
      mocks.embeddings.embed.mockRejectedValue(new TemporaryEmbeddingError('server busy'));
      const error = await sut.embedBatch(DOC_ID, 'gen', 0, 1, { retried: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TemporaryEmbeddingError);
      expect(mocks.repository.markProcessing).toHaveBeenCalledWith(DOC_ID);
      expect(mocks.repository.markFailed).toHaveBeenCalledWith(DOC_ID, 'server busy');
    });

    it('saves when the batches cover every chunk once, whatever their order', async () => {
      mocks.repository.commitStaged.mockResolvedValue({ committed: true, chunks: 12, model: 'test-model' });
      const result = await sut.save(DOC_ID, 'gen', 12, [batch(5, 10), batch(0, 5), batch(10, 12)]);
      expect(result).toEqual({ success: true, document_id: DOC_ID, embeddings_count: 12 });
      expect(mocks.repository.commitStaged).toHaveBeenCalledWith(DOC_ID, 'gen', 12);
    });

    it('refuses to save a gap, an overlap or another run, and an incomplete generation', async () => {
      for (const batches of [
        [batch(0, 5), batch(6, 12)],
        [batch(0, 6), batch(5, 12)],
        [batch(0, 5), batch(5, 12, 'other')],
        [batch(0, 5)],
      ]) {
        await expect(sut.save(DOC_ID, 'gen', 12, batches)).rejects.toThrow(PermanentTaskError);
      }
      expect(mocks.repository.commitStaged).not.toHaveBeenCalled();
      mocks.repository.commitStaged.mockResolvedValue({
        committed: false,
        reason: 'incomplete',
        staged: 12,
        embedded: 11,
        models: 1,
      });
      await expect(sut.save(DOC_ID, 'gen', 12, [batch(0, 12)])).rejects.toThrow(/11 of 12 chunks embedded/);
      expect(mocks.repository.discardStaged).toHaveBeenCalledWith('gen');
      expect(mocks.repository.markFailed).toHaveBeenCalledWith(DOC_ID, expect.stringMatching(/incomplete/));
      // superseded by a newer run, or deleted: the document's status is not this run's any more
      mocks.repository.markFailed.mockClear();
      mocks.repository.commitStaged.mockResolvedValue({
        committed: false,
        reason: 'incomplete',
        staged: 0,
        embedded: 0,
        models: 0,
      });
      await expect(sut.save(DOC_ID, 'gen', 12, [batch(0, 12)])).rejects.toThrow(/superseded/);
      mocks.repository.commitStaged.mockResolvedValue({ committed: false, reason: 'document-gone' });
      await expect(sut.save(DOC_ID, 'gen', 12, [batch(0, 12)])).rejects.toThrow(/deleted/);
      expect(mocks.repository.markFailed).not.toHaveBeenCalled();
    });
  });
});
