import { decodeHTML } from 'entities';
import { compile, type SelectorDefinition } from 'html-to-text';

/** Elements that are not reading text: code, styles, metadata, embedded objects and site navigation. */
const DROPPED = ['head', 'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'nav', 'img'];

const selectors: SelectorDefinition[] = [
  ...DROPPED.map((selector): SelectorDefinition => ({ selector, format: 'skip' })),
  { selector: 'a', options: { ignoreHref: true } },
  { selector: 'ul', options: { itemPrefix: ' ' } },
  { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((selector): SelectorDefinition => ({
    selector,
    options: { uppercase: false },
  })),
];

/** html-to-text, compiled once: every HTML entity decoded, no line wrapping, no link targets. */
const convertHtml = compile({ wordwrap: false, selectors });

/**
 * Visible text of an HTML document (html-to-text on htmlparser2): every named and numeric entity decoded;
 * scripts, styles, `<head>` and navigation dropped; block elements become line breaks.
 */
export function htmlToText(html: string): string {
  return tidy(convertHtml(html));
}

/** Markdown as reading text: markup dropped, link and image texts kept, code kept, HTML entities decoded. */
export function markdownToText(md: string): string {
  return tidy(
    decodeHTML(
      md
        .replace(/^```.*$/gm, '')
        .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
        .replace(/^[ \t]{0,3}#{1,6}[ \t]+/gm, '')
        .replace(/^[ \t]{0,3}>[ \t]?/gm, '')
        .replace(/^[ \t]*([-*+]|\d+\.)[ \t]+/gm, '')
        .replace(/(\*\*|__|~~|`)/g, '')
        .replace(/^[ \t]*([-*_][ \t]*){3,}$/gm, ''),
    ),
  );
}

/** Spaces collapsed within lines, at most one blank line between paragraphs. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
