import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HashEmbeddingProvider } from '../libs/documents/src/embedding/hash.provider.js';
import { SemanticEmbeddingProvider } from '../libs/documents/src/embedding/semantic.provider.js';
import { cosine } from '../libs/documents/src/embedding/vector.js';

interface DevPassage { topic: string; zh: string; en: string; q_en: string; q_zh: string }

async function main(): Promise<void> {
  const dev = JSON.parse(readFileSync(resolve('/work/shared/eval/bilingual-dev.json'), 'utf8')) as { passages: DevPassage[] };
  const weights = process.env.EVAL_WEIGHTS?.split(',').map(Number);
  const providers = [
    new HashEmbeddingProvider(),
    new SemanticEmbeddingProvider(weights ? { sentence: weights[0], terms: weights[1], glossTerms: weights[2] } : undefined),
  ];
  for (const p of providers) {
    for (const [corpusLang, queryLang] of [['zh', 'zh'], ['zh', 'en'], ['en', 'zh'], ['en', 'en']] as const) {
      const docs = await p.embed(dev.passages.map((x) => x[corpusLang]), 'document');
      const qs = await p.embed(dev.passages.map((x) => (queryLang === 'zh' ? x.q_zh : x.q_en)), 'query');
      let top1 = 0, mrr = 0;
      qs.forEach((q, i) => {
        const scores = docs.map((d) => cosine(q, d));
        const rank = scores.filter((s) => s > scores[i]).length + 1;
        if (rank === 1) top1++;
        mrr += 1 / rank;
      });
      console.log(`${p.id} ${queryLang}->${corpusLang} top1=${top1}/20 mrr=${(mrr / 20).toFixed(3)}`);
    }
  }
}
void main();
