export interface ChunkOptions {
  /** Target chunk length in characters (code points); a chunk exceeds it only never. */
  size: number;
  /** Characters of the previous chunk's end repeated at the start of the next, whole sentences preferred. */
  overlap: number;
}

export interface TextChunk {
  /** 0, 1, 2… in text order. */
  index: number;
  text: string;
}

/**
 * Sentence ends: Chinese 。！？； (with any closing quotes or brackets after them) end a sentence at once;
 * English . ! ? ; end one before white space only, so that 3.14, e.g. "U.S", file.txt, `?q=1` and an entity
 * such as `cr&egrave;me` stay whole.
 */
const SENTENCE_END = /([。！？；]+["'”’」』)）]*|[.!?;]+["'”’)]*(?=\s|$)|…+)/u;

/** Characters of scripts written without spaces between words (and their punctuation): cut anywhere. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;

/** Whether cutting between `before` and `after` would split a word (or part a word from its punctuation). */
const insideWord = (before: string | undefined, after: string | undefined): boolean =>
  before !== undefined &&
  after !== undefined &&
  !/\s/u.test(before) &&
  !/\s/u.test(after) &&
  !UNSPACED.test(before) &&
  !UNSPACED.test(after);

const length = (s: string): number => [...s].length;

/** Normalizes line ends and spacing: paragraphs stay separate, runs of spaces collapse. */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\f\v\u00a0\u3000 ]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Splits text into sentences for both languages; paragraph breaks also end a sentence. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const paragraph of normalizeText(text).split(/\n+/)) {
    const parts = paragraph.split(SENTENCE_END);
    // split with a capture group alternates text and terminator: glue each terminator to its sentence
    for (let i = 0; i < parts.length; i += 2) {
      const sentence = (parts[i] + (parts[i + 1] ?? '')).trim();
      if (sentence) sentences.push(sentence);
    }
  }
  return sentences;
}

/**
 * Cuts an over-long sentence into pieces of at most `size` characters, between words: at the last place
 * before the limit that is not inside a word (anywhere in Chinese text); only a word longer than `size` is cut.
 */
function hardSplit(sentence: string, size: number): string[] {
  const chars = [...sentence];
  const pieces: string[] = [];
  for (let start = 0; start < chars.length;) {
    let end = Math.min(chars.length, start + size);
    if (end < chars.length) {
      let cut = end;
      while (cut > start + 1 && insideWord(chars[cut - 1], chars[cut])) cut--;
      if (cut > start + 1) end = cut;
    }
    pieces.push(chars.slice(start, end).join('').trim());
    start = end;
  }
  return pieces.filter(Boolean);
}

/** The last `overlap` characters of a sentence, from a word start: none when that would begin inside a word. */
function carriedTail(sentence: string, overlap: number): string {
  const chars = [...sentence];
  let from = Math.max(0, chars.length - overlap);
  while (from < chars.length && insideWord(chars[from - 1], chars[from])) from++;
  return chars.slice(from).join('').trim();
}

/** Joins sentences: Chinese ones directly, others with a space. */
function join(sentences: readonly string[]): string {
  let out = '';
  for (const s of sentences) {
    const cjkBoundary =
      /[\u3000-\u9fff\uff00-\uffef]$/u.test(out) && /^[\u3000-\u9fff\uff00-\uffef]/u.test(s);
    out += out && !cjkBoundary ? ` ${s}` : s;
  }
  return out;
}

/**
 * Chunks text at sentence boundaries (Chinese and English) into pieces of at most `size` characters, each
 * starting with up to `overlap` characters of the previous chunk's last sentences. Deterministic: the same
 * text and options give the same chunks and indexes, so a re-run replaces chunks one for one.
 */
export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  const { size, overlap } = options;
  if (overlap >= size) throw new Error('overlap must be smaller than size');
  const sentences = splitSentences(text).flatMap((s) => (length(s) > size ? hardSplit(s, size) : [s]));
  const chunks: string[] = [];
  let current: string[] = [];
  let carried = 0; // sentences at the start of `current` that repeat the previous chunk
  for (const sentence of sentences) {
    if (current.length > carried && length(join([...current, sentence])) > size) {
      chunks.push(join(current));
      const tail: string[] = [];
      for (let i = current.length - 1; i >= 0; i--) {
        if (length(join([current[i], ...tail])) > overlap) break;
        tail.unshift(current[i]);
      }
      if (tail.length === 0 && overlap > 0) {
        // the last sentence is longer than the overlap: carry its end, from a word start
        const fragment = carriedTail(current[current.length - 1], overlap);
        if (fragment) tail.push(fragment);
      }
      // the carried tail plus the new sentence must still fit
      while (tail.length > 0 && length(join([...tail, sentence])) > size) tail.shift();
      current = tail;
      carried = tail.length;
    }
    current.push(sentence);
  }
  if (current.length > carried || chunks.length === 0) {
    const last = join(current);
    if (last) chunks.push(last);
  }
  return chunks.map((t, index) => ({ index, text: t }));
}
