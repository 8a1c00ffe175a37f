/**
 * Language-aware text features for the hashing embedder: English-like words (lower-cased, lightly stemmed)
 * and their bigrams, and for Chinese (and other CJK) text, characters and character bigrams, which need no
 * word segmentation and still match multi-character terms.
 */

const CJK_CLASS = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u3040-\\u30ff\\uac00-\\ud7af';
const CJK = new RegExp(`[${CJK_CLASS}]`, 'u');
const CJK_RUN = new RegExp(`[${CJK_CLASS}]+`, 'gu');
const CJK_SPLIT = new RegExp(`[${CJK_CLASS}]+`, 'u');
const TOKEN = /[\p{L}\p{N}]+/gu;

/** Very common English words that carry no topic. */
const STOP = new Set(
  (
    'a an the and or but of to in on at by for with from as is are was were be been being it its this that ' +
    'these those there here which who whom what when where why how do does did has have had can could will ' +
    'would should may might must i you he she we they them his her our your their my me us not no so if then ' +
    'than too very also just into out up down over about'
  ).split(' '),
);

export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}

/** A light suffix stripper (plural, -ing, -ed, -ly…) so that "forms" and "forming" meet "form". */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  for (const [suffix, keep] of [
    ['ational', 'ate'],
    ['ization', 'ize'],
    ['fulness', 'ful'],
    ['iveness', 'ive'],
    ['ies', 'y'],
    ['ing', ''],
    ['edly', ''],
    ['ed', ''],
    ['ly', ''],
    ['es', ''],
    ['s', ''],
  ] as const) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      if (suffix === 's' && /(ss|us|is)$/.test(word)) return word;
      return word.slice(0, word.length - suffix.length) + keep;
    }
  }
  return word;
}

/** English-like words of a text (CJK runs excluded), lower-cased, stop words dropped, stemmed. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(TOKEN)) {
    for (const part of match[0].split(CJK_SPLIT)) {
      if (!part || isCjk(part[0]) || STOP.has(part)) continue;
      out.push(stem(part));
    }
  }
  return out;
}

/** The CJK runs of a text, split at anything that is not CJK. */
export function cjkRuns(text: string): string[] {
  return text.match(CJK_RUN) ?? [];
}

/** How much one kind of feature counts, by its prefix. */
const FEATURE_WEIGHT: Record<string, number> = { w: 1, b: 0.5, c: 0.5, d: 1 };

/** Feature strings with counts: `w:` words, `b:` word bigrams, `c:` CJK characters, `d:` CJK bigrams. */
export function features(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string): void => void counts.set(f, (counts.get(f) ?? 0) + 1);
  const ws = words(text);
  ws.forEach((w, i) => {
    add(`w:${w}`);
    if (i > 0) add(`b:${ws[i - 1]} ${w}`);
  });
  for (const run of cjkRuns(text)) {
    const chars = [...run];
    chars.forEach((c, i) => {
      add(`c:${c}`);
      if (i > 0) add(`d:${chars[i - 1]}${c}`);
    });
  }
  return counts;
}

/** 32-bit FNV-1a over UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The hashing trick: each feature adds ±weight·(1 + ln count) at a hashed index (the sign from another hash bit halves
 * collisions' bias). Not normalized.
 */
export function hashFeatures(counts: Map<string, number>, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const [feature, count] of counts) {
    const h = fnv1a(feature);
    const sign = h & 0x80000000 ? -1 : 1;
    v[h % dimensions] += sign * (FEATURE_WEIGHT[feature[0]] ?? 1) * (1 + Math.log(count));
  }
  return v;
}
