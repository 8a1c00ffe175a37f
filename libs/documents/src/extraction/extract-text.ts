import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DocumentType } from '../entities/document.entity.js';
import { htmlToText, markdownToText } from './markup-to-text.js';

/** The file could be read as its type but holds no usable text (a scanned PDF, a broken DOCX…). */
export class ExtractionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractionError';
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

const require = createRequire(import.meta.url);

async function pdfToText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const root = dirname(require.resolve('pdfjs-dist/package.json'));
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    cMapUrl: join(root, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(root, 'standard_fonts') + '/',
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  });
  try {
    const pdf = await task.promise;
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      pages.push(text);
      page.cleanup();
    }
    return pages.join('\n\n');
  } catch (error) {
    throw new ExtractionError(`PDF could not be read: ${(error as Error).message}`);
  } finally {
    await task.destroy();
  }
}

async function docxToText(bytes: Uint8Array): Promise<string> {
  const mammoth = require('mammoth') as {
    extractRawText(input: { buffer: Buffer }): Promise<{ value: string }>;
  };
  try {
    return (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value;
  } catch (error) {
    throw new ExtractionError(`DOCX could not be read: ${(error as Error).message}`);
  }
}

/** The plain text of a document of a detected type. Throws `ExtractionError` when none can be had. */
export async function extractText(bytes: Uint8Array, type: DocumentType): Promise<string> {
  let text: string;
  switch (type) {
    case 'txt':
      text = decodeUtf8(bytes);
      break;
    case 'md':
      text = markdownToText(decodeUtf8(bytes));
      break;
    case 'html':
      text = htmlToText(decodeUtf8(bytes));
      break;
    case 'pdf':
      text = await pdfToText(bytes);
      break;
    case 'docx':
      text = await docxToText(bytes);
      break;
  }
  text = text.replace(/\r\n?/g, '\n').trim();
  if (!text) throw new ExtractionError(`no text found in the ${type} file (a scan without a text layer?)`);
  return text;
}
