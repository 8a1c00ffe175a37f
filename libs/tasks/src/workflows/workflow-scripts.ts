import { LuaScript } from '../redis/lua-script.js';

/*
 * The Redis side of workflows. A workflow is one hash (`<prefix>:_wf:<id>`): `meta`, `state` (RUNNING until it
 * ends), `t` (its task nodes), `n:<i>` (node i), `r:<i>` (node i's result, once finished), `d:<i>` (members of
 * group i finished), `done` (tasks finished), and at the end `result` or `error`, `done_at`.
 */

/**
 * Records node ARGV[1]'s result ARGV[2], once. ARGV[3]: the index of its parent when that is a group ('' when
 * not), whose finished members it counts; ARGV[4]: '1' when the node is a task (counted in `done`). Returns -1
 * when the workflow has ended (nothing follows), else the parent group's finished members (0 for no group). A
 * result recorded before (the member ran again after a crash) counts once, and the count is returned again,
 * so that whatever came next is queued again — which is a no-op, member ids being fixed. ARGV[5]: seconds the
 * running workflow is kept from now.
 */
const LIVE = `local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'RUNNING' and state ~= 'QUEUING' then`;

export const RECORD = new LuaScript(`${LIVE} return -1 end
redis.call('EXPIRE', KEYS[1], ARGV[5])
local new = redis.call('HSETNX', KEYS[1], 'r:' .. ARGV[1], ARGV[2])
if new == 1 and ARGV[4] == '1' then redis.call('HINCRBY', KEYS[1], 'done', 1) end
if ARGV[3] == '' then return 0 end
local field = 'd:' .. ARGV[3]
if new == 1 then return redis.call('HINCRBY', KEYS[1], field, 1) end
return tonumber(redis.call('HGET', KEYS[1], field) or '0')`);

/**
 * Ends a running workflow: state ARGV[1], field ARGV[2] (`result` or `error`) = ARGV[3], `done_at` ARGV[4], kept
 * ARGV[5] more seconds; it leaves the set of workflows being queued (KEYS[2]; ARGV[6] its id); ARGV[7], when
 * given, is the node of the member whose end ended it (`by`). Returns 1 when this call ended it, 0 when it had
 * ended already (or is unknown).
 */
export const FINISH = new LuaScript(`${LIVE} return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], ARGV[2], ARGV[3], 'done_at', ARGV[4])
if ARGV[7] then redis.call('HSET', KEYS[1], 'by', ARGV[7]) end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZREM', KEYS[2], ARGV[6])
return 1`);

/**
 * Every first task of a workflow is queued: QUEUING becomes RUNNING, and the workflow leaves the set of those
 * being queued (KEYS[2]; ARGV[1] its id). Returns 1 when it was QUEUING.
 */
export const COMMIT = new LuaScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'state') ~= 'QUEUING' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'RUNNING')
return 1`);
