import { extname } from 'node:path';
import type { DocumentType } from '../entities/document.entity.js';

/** Why a file was refused: the API maps these to 400 / 415. */
export class UnsupportedDocumentError extends Error {
  constructor(
    message: string,
    readonly reason: 'empty' | 'unsupported',
  ) {
    super(message);
    this.name = 'UnsupportedDocumentError';
  }
}

export interface DetectedType {
  type: DocumentType;
  mime: string;
  /** Extension of our stored file. */
  extension: string;
}

const KNOWN: Record<DocumentType, Omit<DetectedType, 'type'>> = {
  txt: { mime: 'text/plain', extension: 'txt' },
  md: { mime: 'text/markdown', extension: 'md' },
  html: { mime: 'text/html', extension: 'html' },
  pdf: { mime: 'application/pdf', extension: 'pdf' },
  docx: {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extension: 'docx',
  },
};

const TEXT_EXTENSIONS: Record<string, DocumentType> = {
  '': 'txt',
  '.txt': 'txt',
  '.text': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
};

/** A ZIP archive whose entries include `word/document.xml`: an Office Open XML word-processing file. */
function isDocx(bytes: Buffer): boolean {
  if (bytes.length < 30 || bytes.readUInt32LE(0) !== 0x04034b50) return false;
  // the central directory lists every entry name; a DOCX always has word/document.xml
  return (
    bytes.includes('word/document.xml', 0, 'latin1') && bytes.includes('[Content_Types].xml', 0, 'latin1')
  );
}

/** Valid UTF-8 with no NUL and few control characters: text, not a binary in disguise. */
export function isUtf8Text(bytes: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  if (text.includes('\u0000')) return false;
  const sample = text.slice(0, 65_536);
  // eslint-disable-next-line no-control-regex -- counting control characters is the point
  const controls = sample.match(/[\u0001-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return controls <= sample.length / 100;
}

const looksLikeHtml = (bytes: Buffer): boolean =>
  /^\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(
    bytes
      .subarray(0, 1024)
      .toString('utf8')
      .replace(/^\uFEFF/, ''),
  );

/**
 * What a file is, by its bytes: `%PDF-` is a PDF; a ZIP with `word/document.xml` is a DOCX; valid UTF-8 is
 * text, and then the name chooses between plain text, Markdown and HTML (an HTML document is HTML whatever
 * its name). A name that promises one type over bytes of another, or any other content, is refused.
 */
export function detectType(bytes: Buffer, filename: string): DetectedType {
  if (bytes.length === 0) throw new UnsupportedDocumentError('file: the file is empty', 'empty');
  const ext = extname(filename).toLowerCase();
  const typed = (type: DocumentType): DetectedType => ({ type, ...KNOWN[type] });
  const claims = (type: DocumentType): boolean => ext === '' || ext === `.${type}`;
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    if (!claims('pdf')) throw mismatch(filename, 'a PDF');
    return typed('pdf');
  }
  if (isDocx(bytes)) {
    if (!claims('docx')) throw mismatch(filename, 'a Word (DOCX) document');
    return typed('docx');
  }
  if (isUtf8Text(bytes)) {
    const byName = TEXT_EXTENSIONS[ext];
    if (ext === '.pdf' || ext === '.docx') throw mismatch(filename, 'plain text');
    if (byName === undefined) {
      throw new UnsupportedDocumentError(
        `file: "${ext}" files are not supported (accepted: .txt, .md, .html, .pdf, .docx)`,
        'unsupported',
      );
    }
    return typed(looksLikeHtml(bytes) ? 'html' : byName);
  }
  throw new UnsupportedDocumentError(
    'file: unsupported content (accepted: UTF-8 text, Markdown, HTML, PDF, DOCX)',
    'unsupported',
  );
}

function mismatch(filename: string, what: string): UnsupportedDocumentError {
  return new UnsupportedDocumentError(
    `file: the content is ${what} but the name "${filename}" says otherwise`,
    'unsupported',
  );
}
