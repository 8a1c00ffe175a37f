import { Injectable } from '@nestjs/common';
import { DocumentsRepository } from '../documents.repository.js';
import { EmbeddingService } from '../embedding/embedding.service.js';
import { dot, unpackVector } from '../embedding/vector.js';

export interface SearchHit {
  document_id: string;
  chunk_index: number;
  text: string;
  score: number;
}

/** Keeps the k best of a stream of scored items, best first, in O(n log k). */
export class TopK<T> {
  private readonly items: { score: number; item: T }[] = [];

  constructor(private readonly k: number) {}

  offer(score: number, item: T): void {
    if (this.items.length === this.k && score <= this.items[this.items.length - 1].score) return;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].score >= score) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, { score, item });
    if (this.items.length > this.k) this.items.pop();
  }

  best(): { score: number; item: T }[] {
    return [...this.items];
  }
}

/**
 * Semantic search over chunks: the query is embedded by the same provider as the chunks, and only chunks of
 * that provider id are compared (brute-force cosine over unit vectors, read page by page).
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly repository: DocumentsRepository,
    private readonly embeddings: EmbeddingService,
  ) {}

  async search(query: string, k: number): Promise<SearchHit[]> {
    const [q] = await this.embeddings.embed([query], 'query');
    const top = new TopK<{ documentId: string; chunkIndex: number }>(k);
    for await (const page of this.repository.scanEmbeddings(this.embeddings.providerId)) {
      for (const chunk of page) {
        const v = unpackVector(chunk.embedding);
        if (v.length !== q.length) continue;
        top.offer(dot(q, v), { documentId: chunk.documentId, chunkIndex: chunk.chunkIndex });
      }
    }
    const best = top.best();
    const texts = await this.repository.chunkTexts(best.map((b) => b.item));
    return best.flatMap(({ score, item }) => {
      const text = texts.get(`${item.documentId}:${item.chunkIndex}`);
      // a chunk replaced between the scan and this read is left out rather than shown stale
      return text === undefined
        ? []
        : [
            {
              document_id: item.documentId,
              chunk_index: item.chunkIndex,
              text,
              score: Math.round(score * 1e4) / 1e4,
            },
          ];
    });
  }
}
