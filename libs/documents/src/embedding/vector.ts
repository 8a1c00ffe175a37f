/** Float32 vectors: packing for storage (little-endian float32 bytes) and the arithmetic search needs. */

/** Packs a vector as little-endian float32 bytes, the storage format of `DocumentChunk.embedding`. */
export function packVector(vector: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i], i * 4);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The inverse of `packVector`; throws on a byte length that is not a multiple of 4. */
export function unpackVector(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`embedding of ${bytes.byteLength} bytes is not float32`);
  // a copy has a buffer of its own, aligned, and on a little-endian machine its bytes are the floats already
  // (not `slice`: on a Buffer it is a view of the shared pool)
  if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i] * b[i];
  return sum;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine similarity; 0 when either vector is all zeros or the lengths differ. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const d = norm(a) * norm(b);
  return d === 0 ? 0 : dot(a, b) / d;
}

/** Scales a vector to unit length in place (a zero vector stays zero) and returns it. */
export function normalize(a: Float32Array): Float32Array {
  const n = norm(a);
  if (n > 0) for (let i = 0; i < a.length; i++) a[i] /= n;
  return a;
}

/**
 * Concatenates unit-length parts, each scaled by the square root of its weight, into one unit vector: the
 * cosine of two blends is then the weighted mean of the parts' cosines.
 */
export function blend(parts: readonly { vector: Float32Array; weight: number }[]): Float32Array {
  const total = parts.reduce((sum, p) => sum + p.weight, 0);
  const out = new Float32Array(parts.reduce((sum, p) => sum + p.vector.length, 0));
  let offset = 0;
  for (const { vector, weight } of parts) {
    const n = norm(vector);
    const scale = n > 0 ? Math.sqrt(weight / total) / n : 0;
    for (let i = 0; i < vector.length; i++) out[offset + i] = vector[i] * scale;
    offset += vector.length;
  }
  return out;
}
