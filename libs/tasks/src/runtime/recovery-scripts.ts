import { LuaScript } from '../redis/lua-script.js';

/*
 * The Redis side of crash recovery (docs/RUNTIME.md). Every time is Redis's own clock (TIME), so that workers
 * on hosts whose clocks disagree never take each other for dead.
 */

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * One heartbeat. KEYS: the worker's heartbeat key, the workers sorted set (scored by last beat), the lock
 * owners hash. ARGV: worker id, heartbeat JSON, its TTL in seconds, the JSON list of the worker's BullMQ worker
 * ids (the prefix of every lock token it holds), and a score offset in ms (0; negative to mark it dead now).
 */
export const BEAT = new LuaScript(`${NOW_MS}
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) else redis.call('DEL', KEYS[1]) end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
return now`);

/**
 * The workers taken for dead: silent for longer than ARGV[1] ms, but not yet forgotten (ARGV[2] ms), other
 * than ARGV[3] (the caller). Forgets, on the way, those silent for longer than ARGV[2]. KEYS: the workers
 * sorted set, the lock owners hash. Returns a flat list: worker id, JSON list of its BullMQ worker ids, …
 */
export const FIND_DEAD = new LuaScript(`${NOW_MS}
local forgotten = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))
for _, id in ipairs(forgotten) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '(' .. (now - tonumber(ARGV[1])))
local out = {}
for _, id in ipairs(dead) do
  if id ~= ARGV[3] then
    local owners = redis.call('HGET', KEYS[2], id)
    if owners then
      table.insert(out, id)
      table.insert(out, owners)
    end
  end
end
return out`);

/**
 * Hands the active jobs of dead BullMQ workers back: for each job in the queue's active list whose lock token
 * starts with one of ARGV[2..] (`<bullmq worker id>:`), drops the lock, clears the dead run's progress and
 * marks the job stalled, so that BullMQ's own stalled check (run next by the caller; its rate-limit key is
 * dropped here) moves it back to wait with its re-delivery count, or fails it past WORKER_MAX_STALLED_COUNT.
 * KEYS: active list, stalled set, stalled-check key. ARGV[1]: the queue's key prefix (`<prefix>:<queue>:`).
 * Returns the ids reclaimed.
 */
export const RECLAIM = new LuaScript(`local reclaimed = {}
for _, jobId in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local jobKey = ARGV[1] .. jobId
  local lock = redis.call('GET', jobKey .. ':lock')
  if lock then
    for i = 2, #ARGV do
      if string.sub(lock, 1, #ARGV[i]) == ARGV[i] then
        redis.call('DEL', jobKey .. ':lock')
        redis.call('HDEL', jobKey, 'progress')
        redis.call('SADD', KEYS[2], jobId)
        table.insert(reclaimed, jobId)
        break
      end
    end
  end
end
if #reclaimed > 0 then redis.call('DEL', KEYS[3]) end
return reclaimed`);
