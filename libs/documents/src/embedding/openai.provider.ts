import { setTimeout as sleep } from 'node:timers/promises';
import {
  PermanentEmbeddingError,
  TemporaryEmbeddingError,
  type EmbedKind,
  type EmbeddingProvider,
} from './embedding-provider.js';
import { normalize } from './vector.js';

export interface OpenAiProviderOptions {
  /** Base URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`; `/embeddings` is appended. */
  apiUrl: string;
  apiKey?: string;
  model: string;
  batchSize: number;
  timeoutMs: number;
  /** Quick retries of a temporary error inside one call, before the task's own retry takes over. */
  retries?: number;
}

interface EmbeddingsAnswer {
  data?: { index?: number; embedding?: unknown }[];
}

/** HTTP statuses worth trying again: timeouts, conflicts, rate limits and server errors. */
function isTemporaryStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/**
 * Any server that speaks OpenAI's `POST /v1/embeddings` (OpenAI, Ollama, TEI, vLLM, LocalAI…). Sends texts in
 * batches of `batchSize`, each request bounded by `timeoutMs`. Network errors, timeouts, 408/429/5xx are
 * `TemporaryEmbeddingError` (retried briefly here, then by the task); other 4xx and malformed answers are
 * `PermanentEmbeddingError`.
 */
export class OpenAiEmbeddingProvider implements EmbeddingProvider {
  readonly id: string;
  private readonly endpoint: string;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.endpoint = `${options.apiUrl.replace(/\/+$/, '')}/embeddings`;
    this.id = `openai:${options.model}@${new URL(options.apiUrl).host}`;
  }

  async embed(texts: readonly string[], _kind: EmbedKind, signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.options.batchSize) {
      out.push(...(await this.batchWithRetry(texts.slice(i, i + this.options.batchSize), signal)));
    }
    return out;
  }

  private async batchWithRetry(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const retries = this.options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.batch(texts, signal);
      } catch (error) {
        if (!(error instanceof TemporaryEmbeddingError) || attempt >= retries || signal?.aborted) throw error;
        await sleep(250 * 2 ** attempt, undefined, { signal });
      }
    }
  }

  private async batch(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.options.model, input: texts, encoding_format: 'float' }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      signal?.throwIfAborted();
      const reason = timeout.aborted ? `timed out after ${this.options.timeoutMs} ms` : String(error);
      throw new TemporaryEmbeddingError(`embedding API ${this.endpoint}: ${reason}`, { cause: error });
    }
    const body = await response.text().catch(() => '');
    if (!response.ok) {
      const message = `embedding API ${this.endpoint} answered ${response.status}: ${body.slice(0, 300)}`;
      throw isTemporaryStatus(response.status)
        ? new TemporaryEmbeddingError(message)
        : new PermanentEmbeddingError(message);
    }
    return this.parse(body, texts.length);
  }

  private parse(body: string, expected: number): Float32Array[] {
    let answer: EmbeddingsAnswer;
    try {
      answer = JSON.parse(body) as EmbeddingsAnswer;
    } catch {
      throw new PermanentEmbeddingError(
        `embedding API answered something that is not JSON: ${body.slice(0, 200)}`,
      );
    }
    const data = answer.data;
    if (!Array.isArray(data) || data.length !== expected) {
      throw new PermanentEmbeddingError(
        `embedding API answered ${Array.isArray(data) ? data.length : 'no'} vectors for ${expected} texts`,
      );
    }
    const vectors = new Array<Float32Array>(expected);
    data.forEach((item, position) => {
      const index = typeof item.index === 'number' ? item.index : position;
      const e = item.embedding;
      if (
        !Array.isArray(e) ||
        e.length === 0 ||
        !e.every((x) => typeof x === 'number' && Number.isFinite(x))
      ) {
        throw new PermanentEmbeddingError(`embedding API answered a malformed vector at index ${index}`);
      }
      if (index < 0 || index >= expected)
        throw new PermanentEmbeddingError(`embedding API answered index ${index}`);
      vectors[index] = normalize(Float32Array.from(e as number[]));
    });
    if (vectors.some((v) => v === undefined))
      throw new PermanentEmbeddingError('embedding API skipped a text');
    return vectors;
  }
}
