import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { cjkRuns, words } from '../embedding/text-features.js';

/** Chinese words too common to tell chunks apart. */
const CJK_STOP = new Set(
  '的 了 是 在 和 与 及 或 也 就 都 而 把 被 这 那 一个 我们 你 我 他 它 吗 呢 吧 啊'.split(' '),
);

let jieba: Jieba | undefined;

/**
 * The terms of a text for keyword ranking: English-like words as the hash features see them (lower-cased, stop
 * words dropped, lightly stemmed, so `digitalWrite` is one term), and Chinese runs cut into words by jieba.
 */
export function keywordTokens(text: string): string[] {
  const out = words(text);
  for (const run of cjkRuns(text)) {
    jieba ??= Jieba.withDict(dict);
    for (const word of jieba.cut(run, false)) if (!CJK_STOP.has(word)) out.push(word);
  }
  return out;
}
