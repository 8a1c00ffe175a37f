/**
 * A value as JSON, cut to `maxBytes` (UTF-8) when longer: the history keeps results and arguments bounded,
 * and says when it cut one.
 */
export function cappedJson(value: unknown, maxBytes: number): { json: string; cut: boolean } {
  const json = JSON.stringify(value) ?? 'null';
  // a string of n UTF-16 units is at most 3n bytes: most results need no byte count at all
  if (json.length * 3 <= maxBytes || Buffer.byteLength(json) <= maxBytes) return { json, cut: false };
  return { json: Buffer.from(json).subarray(0, maxBytes).toString(), cut: true };
}
