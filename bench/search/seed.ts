import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { withMigrations } from '../../libs/database/src/database.module.js';
import { hashVector } from '../../libs/documents/src/embedding/hash.provider.js';
import { packVector } from '../../libs/documents/src/embedding/vector.js';
import { Document } from '../../libs/documents/src/entities/document.entity.js';
import { DocumentChunk } from '../../libs/documents/src/entities/document-chunk.entity.js';
import { DocumentIndexChange } from '../../libs/documents/src/entities/document-index-change.entity.js';
import { SyntheticCorpus } from '../../test/utils/synthetic-corpus.js';

export const MODEL = 'hash-v1-1024';
export const DIMENSIONS = 1024;
const ROWS_PER_INSERT = 200;

/** A migrated database filled with `chunks` synthetic chunks over `documents` documents; vectors kept when asked. */
export async function seed(
  url: string,
  chunks: number,
  options: { documents: number; keepVectors: boolean },
): Promise<{ vectors: Float32Array | undefined; documentIds: string[] }> {
  const postgres = url.startsWith('postgres');
  const dataSource = await new DataSource(
    withMigrations({
      ...(postgres
        ? { type: 'postgres' as const, url }
        : { type: 'better-sqlite3' as const, database: url.replace(/^sqlite:/, '') }),
      entities: [Document, DocumentChunk, DocumentIndexChange],
    }),
  ).initialize();
  const p = (n: number): string => (postgres ? `$${n}` : '?');
  const documentIds = Array.from({ length: options.documents }, () => randomUUID());
  for (const [i, id] of documentIds.entries()) {
    await dataSource.query(
      `INSERT INTO documents (id, title, filename, embedding_status, chunk_count, embedding_model) VALUES (${p(1)}, ${p(2)}, ${p(3)}, 'completed', ${p(4)}, ${p(5)})`,
      [id, `Lesson ${i}`, `lesson-${i}.txt`, Math.ceil(chunks / options.documents), MODEL],
    );
  }
  const corpus = new SyntheticCorpus(42, 20_000);
  const vectors = options.keepVectors ? new Float32Array(chunks * DIMENSIONS) : undefined;
  for (let start = 0; start < chunks; start += ROWS_PER_INSERT * 10) {
    await dataSource.transaction(async (manager) => {
      for (
        let batch = start;
        batch < Math.min(chunks, start + ROWS_PER_INSERT * 10);
        batch += ROWS_PER_INSERT
      ) {
        const values: unknown[] = [];
        const tuples: string[] = [];
        for (let n = batch; n < Math.min(chunks, batch + ROWS_PER_INSERT); n++) {
          const text = corpus.text(60);
          const vector = hashVector(text);
          vectors?.set(vector, n * DIMENSIONS);
          const at = values.length;
          tuples.push(`(${[1, 2, 3, 4, 5, 6, 7].map((k) => p(at + k)).join(', ')})`);
          const documentId = documentIds[n % documentIds.length];
          values.push(
            randomUUID(),
            documentId,
            Math.floor(n / documentIds.length),
            text,
            packVector(vector),
            DIMENSIONS,
            MODEL,
          );
        }
        await manager.query(
          `INSERT INTO document_chunks (id, document_id, chunk_index, text, embedding, dimensions, embedding_model) VALUES ${tuples.join(', ')}`,
          values,
        );
      }
    });
  }
  await dataSource.destroy();
  return { vectors, documentIds };
}
