import { describe, expect, it } from '@jest/globals';
import { chunkText, splitSentences } from './chunker.js';

const ZH =
  '水循环是地球上水不断运动的过程。太阳照射海洋和湖泊，使水蒸发成水蒸气进入大气！水蒸气上升后遇冷凝结成小水滴，形成云？' +
  '当云中的水滴越聚越大，就会以雨或雪的形式降落到地面；一部分降水渗入地下成为地下水。';
const EN =
  'The water cycle is the continuous movement of water on Earth. Sunlight heats oceans and lakes! Does the ' +
  'vapour rise? It cools to 3.5 degrees below the dew point; it condenses into droplets, e.g. in clouds.';

describe('splitSentences', () => {
  it('ends Chinese sentences at 。！？； and keeps the mark', () => {
    expect(splitSentences(ZH)).toEqual([
      '水循环是地球上水不断运动的过程。',
      '太阳照射海洋和湖泊，使水蒸发成水蒸气进入大气！',
      '水蒸气上升后遇冷凝结成小水滴，形成云？',
      '当云中的水滴越聚越大，就会以雨或雪的形式降落到地面；',
      '一部分降水渗入地下成为地下水。',
    ]);
  });

  it('ends English sentences before white space only, so numbers and abbreviations stay whole', () => {
    expect(splitSentences(EN)).toEqual([
      'The water cycle is the continuous movement of water on Earth.',
      'Sunlight heats oceans and lakes!',
      'Does the vapour rise?',
      'It cools to 3.5 degrees below the dew point;',
      'it condenses into droplets, e.g.',
      'in clouds.',
    ]);
  });

  it('treats a paragraph break as a boundary and mixed text as one flow', () => {
    expect(splitSentences('第一段没有句号\n\nSecond paragraph. 第二句。')).toEqual([
      '第一段没有句号',
      'Second paragraph.',
      '第二句。',
    ]);
  });
});

describe('chunkText', () => {
  const text = `${ZH}\n\n${EN}\n\n${ZH}${EN}`;

  it('keeps chunks within the size, cuts at sentence ends and repeats up to `overlap` characters', () => {
    const chunks = chunkText(text, { size: 120, overlap: 40 });
    expect(chunks.length).toBeGreaterThan(3);
    chunks.forEach((chunk, i) => {
      expect(chunk.index).toBe(i);
      expect([...chunk.text].length).toBeLessThanOrEqual(120);
    });
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1].text;
      // some head of each chunk is a tail of the previous one (the overlap)
      const head = [...chunks[i].text].slice(0, 10).join('');
      expect(previous.includes(head)).toBe(true);
    }
    // every sentence survives somewhere
    for (const sentence of splitSentences(text)) {
      expect(chunks.some((c) => c.text.includes(sentence))).toBe(true);
    }
  });

  it('is deterministic: same text and options, same chunks and indexes', () => {
    expect(chunkText(text, { size: 200, overlap: 50 })).toEqual(chunkText(text, { size: 200, overlap: 50 }));
  });

  it('cuts a sentence longer than the size, and never overlaps with zero overlap', () => {
    const long = 'a'.repeat(250) + ' ' + 'b'.repeat(100);
    const chunks = chunkText(long, { size: 100, overlap: 0 });
    expect(chunks.map((c) => c.text.length).every((n) => n <= 100)).toBe(true);
    expect(
      chunks
        .map((c) => c.text)
        .join('')
        .replace(/ /g, ''),
    ).toBe('a'.repeat(250) + 'b'.repeat(100));
  });

  it('gives one chunk for short text and none for blank text', () => {
    expect(chunkText('短文本。', { size: 500, overlap: 80 })).toEqual([{ index: 0, text: '短文本。' }]);
    expect(chunkText('  \n ', { size: 500, overlap: 80 })).toEqual([]);
  });

  it('never splits a word: sentence ends need white space after ASCII marks, cuts and overlaps fall between words', () => {
    // an entity left undecoded, a URL and a ratio hold ASCII ; ? ! . without a space after them
    expect(
      splitSentences('Une cr&egrave;me br&ucirc;l&eacute;e, see http://x.org/?q=1!a and 1;2. Next one.'),
    ).toEqual(['Une cr&egrave;me br&ucirc;l&eacute;e, see http://x.org/?q=1!a and 1;2.', 'Next one.']);
    const vocabulary = ['photosynthesis', 'chlorophyll', 'wavelengths', 'absorbs', 'carbohydrates', 'in'];
    const words = Array.from({ length: 400 }, (_, i) => vocabulary[(i * 5) % vocabulary.length]);
    // one sentence far longer than a chunk (hard cuts), then sentences longer than the overlap (carried tails)
    const text = `${words.join(' ')}. ${words.map((w, i) => (i % 9 === 8 ? `${w}.` : w)).join(' ')}`;
    for (const options of [
      { size: 100, overlap: 30 },
      { size: 40, overlap: 17 },
      { size: 16, overlap: 6 },
    ]) {
      const chunks = chunkText(text, options);
      expect(chunks.length).toBeGreaterThan(10);
      for (const chunk of chunks) {
        expect([...chunk.text].length).toBeLessThanOrEqual(options.size);
        for (const token of chunk.text.split(' ')) expect(vocabulary).toContain(token.replace(/\.$/, ''));
      }
    }
  });

  it('cuts Chinese text anywhere, as it has no spaces between words', () => {
    const chunks = chunkText(ZH.repeat(4), { size: 50, overlap: 10 });
    expect(chunks.every((c) => [...c.text].length <= 50)).toBe(true);
    expect(chunks.map((c) => c.text).join('')).toContain('一部分降水渗入地下成为地下水。');
  });
});
