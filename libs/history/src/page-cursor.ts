/**
 * The opaque cursor of `GET /tasks`: the `seq` of the last row of a page (newest first, so the next page is
 * every row below it), base64url so that clients do not build one.
 */
const PREFIX = 'h1.';

export function encodePageCursor(seq: number): string {
  return Buffer.from(`${PREFIX}${seq}`).toString('base64url');
}

/** The seq a cursor stands for, or undefined when it is not one this API gave. */
export function decodePageCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^h1\.(\d{1,15})$/.exec(text);
  return match ? Number(match[1]) : undefined;
}
