import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { Cedict } from './cedict.js';
import { isCjk } from './text-features.js';

/** Tokens, and characters, that `joined` may glue into one dictionary word. */
const MAX_JOINED_TOKENS = 3;
const MAX_JOINED_LENGTH = 4;

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
    for (const token of this.joined(this.jieba.cut(text, true))) {
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

  /**
   * Neighbouring tokens that the dictionary knows as one word are glossed as one: jieba's dictionary lacks many
   * subject terms (发射极 "emitter" comes out as 发射 "launch" + 极 "extremely") and cuts some set phrases
   * (有的 "some" as 有 "have" + 的).
   */
  private joined(tokens: readonly string[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < tokens.length;) {
      let taken = 1;
      for (let n = Math.min(MAX_JOINED_TOKENS, tokens.length - i); n > 1; n--) {
        const parts = tokens.slice(i, i + n);
        const word = parts.join('');
        if (word.length > MAX_JOINED_LENGTH || !parts.every((p) => isCjk(p[0] ?? ''))) continue;
        // a particle glued on by the dictionary's rarer entries (中的 "hit the target") only when we say so
        const plain = this.cedict.isHandGlossed(word) || !parts.some((p) => this.cedict.isFunctionWord(p));
        if (plain && this.cedict.gloss(word) !== undefined) {
          taken = n;
          break;
        }
      }
      out.push(tokens.slice(i, i + taken).join(''));
      i += taken;
    }
    return out;
  }

  /**
   * A word the dictionary lacks (jieba's HMM finds new words) is split into the longest words it has, matched
   * from the end: Chinese compounds put their head last, so backward matching cuts 负电荷 into 负 + 电荷
   * ("negative" + "charge"), where forward matching gives 负电 + 荷 ("lotus").
   */
  private glossWord(word: string): string {
    const whole = this.cedict.gloss(word);
    if (whole !== undefined) return whole;
    const chars = [...word];
    const out: string[] = [];
    for (let j = chars.length; j > 0;) {
      let i = Math.max(0, j - 6);
      for (; i < j - 1; i++) if (this.cedict.gloss(chars.slice(i, j).join('')) !== undefined) break;
      const piece = chars.slice(i, j).join('');
      out.unshift(this.cedict.gloss(piece) ?? piece);
      j = i;
    }
    return out.join(' ');
  }
}
