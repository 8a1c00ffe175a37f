import { createHash, randomUUID } from 'node:crypto';

const IDEMPOTENCY_NAMESPACE = Buffer.from('6f1c6b0e2d7a4e8f9b3a5c1d7e9f0a2b', 'hex');

/** A fresh task id: a UUID, as Celery's. */
export const newTaskId = (): string => randomUUID();

/** The task id an idempotency key stands for: a name-based UUID (RFC 9562 v5), so it is stable everywhere. */
export function idempotentTaskId(key: string): string {
  const hash = createHash('sha1').update(IDEMPOTENCY_NAMESPACE).update(key, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
