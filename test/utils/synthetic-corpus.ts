/**
 * Deterministic course-like texts for search tests and the search benchmark: words drawn with a skew (a few
 * common, many rare), as real vocabularies are.
 */
export class SyntheticCorpus {
  private state: number;
  private readonly words: string[];

  constructor(seed = 7, vocabulary = 3000) {
    this.state = seed;
    this.words = Array.from({ length: vocabulary }, (_, i) => `w${i.toString(36)}`);
  }

  /** One text of `length` words. */
  text(length = 40): string {
    return Array.from({ length }, () => this.words[Math.floor(this.next() ** 2 * this.words.length)]).join(
      ' ',
    );
  }

  texts(count: number, length = 40): string[] {
    return Array.from({ length: count }, () => this.text(length));
  }

  private next(): number {
    this.state = (this.state * 1103515245 + 12345) % 2147483648;
    return this.state / 2147483648;
  }
}
