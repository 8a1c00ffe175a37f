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
  type Document,
  type NewChunk,
} from '@app/documents';
import { PermanentTaskError } from '@app/tasks';
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
        { provide: DOCUMENTS_CONFIG, useValue: { chunkSize: 60, chunkOverlap: 10 } },
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
    expect(result).toEqual({ success: true, document_id: DOC_ID, embeddings_count: chunks.length });
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
});
