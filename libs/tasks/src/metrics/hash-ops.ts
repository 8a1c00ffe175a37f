/** One write to a sink's Redis hash, applied by `HASH_APPLY` with the sink's cursor. */
export interface HashOp {
  /** `incr`: HINCRBY; `float`: HINCRBYFLOAT; `max`: keep the larger number; `set`: HSET. */
  op: 'incr' | 'float' | 'max' | 'set';
  field: string;
  value: number | string;
}

/**
 * Folds ops on the same field into one (a batch of 2,000 events touches a few dozen fields): increments add,
 * `max` keeps the largest, `set` keeps the last.
 */
export function mergeOps(ops: Iterable<HashOp>): HashOp[] {
  const merged = new Map<string, HashOp>();
  for (const next of ops) {
    const key = `${next.op}\u0000${next.field}`;
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...next });
    else if (next.op === 'incr' || next.op === 'float') seen.value = Number(seen.value) + Number(next.value);
    else if (next.op === 'max') seen.value = Math.max(Number(seen.value), Number(next.value));
    else seen.value = next.value;
  }
  return [...merged.values()];
}

const OP_CODES: Record<HashOp['op'], string> = { incr: 'i', float: 'f', max: 'm', set: 's' };

/**
 * Applies ops to KEYS[1] and moves the sink's cursor (field ARGV[1] of KEYS[2]) from ARGV[2] to ARGV[3], in
 * one script: nothing is written when the cursor is not ARGV[2] (another recorder applied this batch first).
 * Returns 1 when applied, 0 when not.
 */
export const HASH_APPLY = `
local cursor = redis.call('hget', KEYS[2], ARGV[1]) or '0-0'
if cursor ~= ARGV[2] then return 0 end
for i = 4, #ARGV, 3 do
  local op, field, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'i' then redis.call('hincrby', KEYS[1], field, value)
  elseif op == 'f' then redis.call('hincrbyfloat', KEYS[1], field, value)
  elseif op == 'm' then
    local current = tonumber(redis.call('hget', KEYS[1], field) or '')
    if current == nil or tonumber(value) > current then redis.call('hset', KEYS[1], field, value) end
  else redis.call('hset', KEYS[1], field, value) end
end
redis.call('hset', KEYS[2], ARGV[1], ARGV[3])
return 1
`;

/** ARGV after the cursor's three: op code, field, value for each op. */
export function hashApplyArgs(ops: readonly HashOp[]): (string | number)[] {
  return ops.flatMap((op) => [OP_CODES[op.op], op.field, op.value]);
}
