import { describe, expect, it } from '@jest/globals';
import { GlossTranslator } from './gloss-translator.js';

describe(GlossTranslator.name, () => {
  const sut = new GlossTranslator();

  it('glosses neighbouring tokens that the dictionary knows as one word as that word', () => {
    // jieba cuts 发射极 into 发射 "launch" + 极 "extremely"
    expect(sut.translate('发射极')).toBe('emitter');
    expect(sut.translate('有的国家')).toMatch(/^some /);
  });

  it('does not glue a particle onto a word through a rare dictionary entry', () => {
    // 中的 is "hit the target" in CC-CEDICT; here it is 中 "in" + 的
    expect(sut.translate('列表中的元素')).not.toContain('target');
  });

  it('splits an unknown word from its end, so that the head word stays whole', () => {
    expect(sut.translate('负电荷')).toBe('negative charge');
  });

  it('uses the classroom sense of subject words and drops classifiers', () => {
    expect(sut.translate('当循环条件为假时')).toContain('loop');
    expect(sut.translate('当循环条件为假时')).toMatch(/^when /);
    expect(sut.translate('三极管')).toBe('transistor');
  });

  it('leaves text without Chinese as it is', () => {
    expect(sut.translate('call digitalWrite(pin, HIGH)')).toBe('call digitalWrite(pin, HIGH)');
  });
});
