/** `depth` arrays, one inside the other, as JSON text. */
export const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** `depth` objects, one inside the other, as JSON text. */
export const nestedObjects = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/**
 * Values of every JSON kind, at their edges, as JSON text (so that nesting no JavaScript value could be
 * serialised from can be sent too): whatever a field expects, most of these are the wrong type or out of range.
 */
export const WRONG_VALUES: readonly string[] = [
  'null',
  'true',
  'false',
  '0',
  '-1',
  '1.5',
  '-0.0',
  '2097152',
  '9007199254740993',
  '1e308',
  '-1e308',
  '1e-400',
  '""',
  '[]',
  '[null]',
  '{}',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  nestedArrays(5_000),
  nestedObjects(5_000),
];

/** Bodies sent as `application/json` that are not a JSON object, or not JSON at all. */
export const MALFORMED_JSON_BODIES: readonly (string | Buffer)[] = [
  'null',
  '[]',
  '"text"',
  '12345',
  'true',
  '',
  ' ',
  '{',
  '{"a":',
  '{"a" 1}',
  "{'a': 1}",
  '{"a": 1,}',
  '{"a": NaN}',
  '{"a": undefined}',
  'nul',
  '\u0000',
  '\ufeff{}',
  '{"a": 1} trailing',
  '{"a": "\\ud800"}',
  '{"a": "\\u00"}',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '{"a": 1, "a": 2}',
  nestedArrays(5_000),
  nestedObjects(5_000),
  nestedArrays(300_000),
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]),
];

/** One multipart part named `name`, as the bytes between two delimiters. */
export function multipartPart(
  boundary: string,
  name: string,
  content: string | Buffer,
  filename?: string,
): Buffer {
  const disposition = `form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}`;
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`),
    Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
}

/** `[content type, body]` pairs that claim to be multipart and are not well formed. */
export function malformedMultipart(garbage: Buffer): [string, string | Buffer][] {
  const part = multipartPart('fz', 'file', 'hello', 'a.txt');
  return [
    ['multipart/form-data', part],
    ['multipart/form-data; boundary=', part],
    ['multipart/form-data; boundary=""', part],
    ['multipart/form-data; boundary=fz', part],
    ['multipart/form-data; boundary=fz', part.subarray(0, 20)],
    ['multipart/form-data; boundary=fz', Buffer.concat([part, Buffer.from('--fz')])],
    ['multipart/form-data; boundary=fz', garbage],
    ['multipart/form-data; boundary=fz', Buffer.concat([Buffer.from('--fz\r\n'), garbage])],
    ['multipart/form-data; boundary=fz', '--fz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--fz--\r\n'],
    ['multipart/form-data; boundary=fz', '--fz\r\nNo-Colon-Header\r\n\r\nx\r\n--fz--\r\n'],
    ['multipart/form-data; boundary=fz', ''],
    ['multipart/form-data; boundary=' + 'b'.repeat(200), part],
    ['multipart/mixed; boundary=fz', Buffer.concat([part, Buffer.from('--fz--\r\n')])],
  ];
}

/** Content types an operation does not take, each with a body in it. */
export const WRONG_CONTENT_TYPES: readonly [string, string][] = [
  ['text/plain', '{"a": 1}'],
  ['application/x-www-form-urlencoded', 'a=1&b[c]=2&__proto__[x]=1'],
  [
    'application/xml',
    '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
  ],
  ['application/octet-stream', '\u0000\u0001\u0002'],
  ['application/json; charset=utf-16', '{"a": 1}'],
  ['application/jsonx', '{"a": 1}'],
  ['*/*', '{"a": 1}'],
  ['', '{"a": 1}'],
];
