import { describe, expect, it } from '@jest/globals';
import { makeDocx, makePdf, PNG_BYTES } from '../../../../test/utils/document-fixtures.js';
import { detectType, UnsupportedDocumentError } from './detect-type.js';
import { chunkText } from '../chunking/chunker.js';
import { extractText } from './extract-text.js';
import { htmlToText, markdownToText } from './markup-to-text.js';

const refused = (bytes: Buffer, name: string): UnsupportedDocumentError['reason'] | undefined => {
  try {
    detectType(bytes, name);
    return undefined;
  } catch (error) {
    return (error as UnsupportedDocumentError).reason;
  }
};

describe('detectType', () => {
  it('knows PDF and DOCX by their bytes, whatever the name lacks', async () => {
    expect(detectType(makePdf(['hello']), 'lesson').type).toBe('pdf');
    expect(detectType(makePdf(['hello']), 'lesson.pdf').type).toBe('pdf');
    expect(detectType(await makeDocx(['hello']), 'notes.docx').type).toBe('docx');
  });

  it('lets the name choose among text types, and knows an HTML document by its start', () => {
    expect(detectType(Buffer.from('# 标题\n正文'), 'a.md').type).toBe('md');
    expect(detectType(Buffer.from('plain'), 'a.txt').type).toBe('txt');
    expect(detectType(Buffer.from('plain'), 'README').type).toBe('txt');
    expect(detectType(Buffer.from('<!DOCTYPE html><p>x</p>'), 'page.txt').type).toBe('html');
    expect(detectType(Buffer.from('<p>x</p>'), 'page.htm').type).toBe('html');
  });

  it('refuses empty files, binaries, other extensions and names that lie about the content', async () => {
    expect(refused(Buffer.alloc(0), 'a.txt')).toBe('empty');
    expect(refused(PNG_BYTES, 'image.txt')).toBe('unsupported');
    expect(refused(Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'a.txt')).toBe('unsupported');
    expect(refused(Buffer.from('a,b\n1,2'), 'table.csv')).toBe('unsupported');
    expect(refused(Buffer.from('just text'), 'fake.pdf')).toBe('unsupported');
    expect(refused(makePdf(['x']), 'report.docx')).toBe('unsupported');
    expect(refused(await makeDocx(['x']), 'notes.txt')).toBe('unsupported');
  });
});

describe('extractText', () => {
  it('reads the text layer of a PDF, Chinese included', async () => {
    const text = await extractText(makePdf(['欧姆定律 Ohm law', '电流等于电压除以电阻。']), 'pdf');
    expect(text).toContain('欧姆定律 Ohm law');
    expect(text).toContain('电流等于电压除以电阻。');
  });

  it('reads the paragraphs of a DOCX', async () => {
    const text = await extractText(await makeDocx(['第一段：光合作用。', 'Second paragraph.']), 'docx');
    expect(text).toBe('第一段：光合作用。\n\nSecond paragraph.');
  });

  it('turns HTML and Markdown into reading text', () => {
    expect(
      htmlToText(
        '<html><head><title>t</title><style>p{}</style></head><body><h1>光 &amp; 影</h1><p>a<br>b &#x4e2d;</p><script>x()</script></body></html>',
      ),
    ).toBe('光 & 影\n\na\nb 中');
    expect(markdownToText('# Title\n\n- **bold** item\n- [link](http://x)\n\n```js\ncode()\n```')).toBe(
      'Title\n\nbold item\nlink\n\ncode()',
    );
  });

  it('decodes every HTML entity and drops scripts, styles and navigation', async () => {
    const page =
      '<!doctype html><html><head><title>Menu</title><style>.x{color:red}</style>' +
      '<script>var nav = "<p>not text</p>";</script></head><body>' +
      '<nav><a href="/">Home</a> | <a href="/menu">Menu</a></nav>' +
      '<h1>Caf&eacute; cr&egrave;me</h1><p>Cr&ecirc;pes &amp; th&eacute; &mdash; 3&nbsp;&euro; &hellip; ' +
      '<a href="https://example.com/x">na&iuml;ve</a> &#x4e2d;&#25991; &lt;b&gt;</p>' +
      '<ul><li>&Aring;ngstr&ouml;m</li><li>&frac12; cup</li></ul>' +
      '<noscript>enable JS</noscript><script>track()</script></body></html>';
    const text = await extractText(Buffer.from(page), 'html');
    expect(text).toBe('Café crème\n\nCrêpes & thé — 3\u00a0€ … naïve 中文 <b>\n\nÅngström\n½ cup');
    // chunked and searched as the words it holds
    expect(chunkText(text, { size: 500, overlap: 80 })[0].text).toContain('Café crème');
  });

  it('decodes HTML entities in Markdown too', async () => {
    const text = await extractText(Buffer.from('# Caf&eacute; cr&egrave;me\n\nAT&amp;T &copy; 2024'), 'md');
    expect(text).toBe('Café crème\n\nAT&T © 2024');
  });

  it('fails clearly when a file has no text', async () => {
    await expect(extractText(Buffer.from('<html><script>1</script></html>'), 'html')).rejects.toThrow(
      /no text found/,
    );
    await expect(extractText(Buffer.from('%PDF-1.4 broken'), 'pdf')).rejects.toThrow(
      /PDF could not be read|no text/,
    );
  });
});
