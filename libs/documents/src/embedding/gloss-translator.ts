import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { Cedict } from './cedict.js';
import { isCjk } from './text-features.js';

const PUNCTUATION: Record<string, string> = {
  '。': '. ',
  '，': ', ',
  '、': ', ',
  '；': '; ',
  '：': ': ',
  '！': '! ',
  '？': '? ',
  '（': ' (',
  '）': ') ',
  '“': ' "',
  '”': '" ',
  '‘': " '",
  '’': "' ",
  '《': ' "',
  '》': '" ',
};

/**
 * Word-by-word Chinese → English: jieba segments, CC-CEDICT glosses each word (a word the dictionary lacks
 * is glossed character by character). Crude as a translation, but it puts Chinese text into the vocabulary of
 * an English sentence encoder. English and other text passes through unchanged.
 */
export class GlossTranslator {
  private readonly jieba = Jieba.withDict(dict);

  constructor(private readonly cedict: Cedict = Cedict.load()) {}

  /** The text with every Chinese word replaced by its English gloss. */
  translate(text: string): string {
    if (![...text].some(isCjk)) return text;
    const out: string[] = [];
    for (const token of this.jieba.cut(text, true)) {
      if (PUNCTUATION[token] !== undefined) out.push(PUNCTUATION[token]);
      else if (isCjk(token[0] ?? '')) out.push(this.glossWord(token));
      else out.push(token);
    }
    return out
      .join(' ')
      .replace(/\s+([.,;:!?)"'])/g, '$1')
      .replace(/\s+/g, ' ')
      .trim();
  }

  /** A word the dictionary lacks (jieba's HMM finds new words) is split into the longest words it has. */
  private glossWord(word: string): string {
    const whole = this.cedict.gloss(word);
    if (whole !== undefined) return whole;
    const chars = [...word];
    const out: string[] = [];
    for (let i = 0; i < chars.length;) {
      let j = Math.min(chars.length, i + 6);
      for (; j > i + 1; j--) if (this.cedict.gloss(chars.slice(i, j).join('')) !== undefined) break;
      const piece = chars.slice(i, j).join('');
      out.push(this.cedict.gloss(piece) ?? piece);
      i = j;
    }
    return out.join(' ');
  }
}
