/**
 * The Lua scripts behind the Redis store's atomic primitives. Redis runs a script with nothing interleaved,
 * so each one is a single atomic step: a key write and all its riders commit together or not at all.
 *
 * Shared conventions:
 * - `now` is always an argument (the store's injected clock), never Redis' TIME: expiry decisions follow
 *   the clock. Native PEXPIRE, set to the logical expiry plus a margin, only collects garbage.
 * - A key is a hash {v = JSON value, ver = version, exp = expiry in ms (absent: none)}.
 *   A claim is a string holding its expiry. A lease is a hash {owner, token, exp}; `owner` is absent once
 *   released, and the hash never expires, so HINCRBY on `token` keeps fencing tokens increasing forever.
 * - Numbers cross as decimal strings; Lua numbers are doubles, exact for millisecond timestamps.
 * - A log is a list of entries `"<seq> <prevHash> <hash> <record JSON>"` plus a head hash {seq, hash,
 *   pseq, phash} (the last entry, and the last pruned one). The client sends the record as canonical JSON;
 *   the script reads the head, hashes `{"prevHash":…,"record":…,"seq":…}` in Lua (`redis-sha256-lua.ts`),
 *   pushes the entry and advances the head, so no two appends can link to the same head. An entry of a list
 *   written before chaining existed has no header: the chain starts after those (its first prevHash is the
 *   genesis hash), and readers report them as unchained.
 */
import { SHA256_LUA } from "./redis-sha256-lua.js";

/** Is the key hash live at `now`? Returns its version, or 0 (ABSENT). */
const CURRENT_VERSION = `
local function current_version(key, now)
  local cur = redis.call('HMGET', key, 'ver', 'exp')
  if not cur[1] then return 0 end
  if cur[2] and now >= tonumber(cur[2]) then return 0 end
  return tonumber(cur[1])
end
`;

/** `chain_append(list, head, json)`: links one entry to the head, pushes it, advances the head; returns seq. */
const CHAIN_APPEND = `${SHA256_LUA}
local GENESIS = string.rep('0', 64)
local function chain_append(list, head, json)
  local cur = redis.call('HMGET', head, 'seq', 'hash')
  local seq, prev
  if cur[1] then
    seq, prev = tonumber(cur[1]) + 1, cur[2]
  else
    seq, prev = redis.call('LLEN', list) + 1, GENESIS
  end
  local s = string.format('%d', seq)
  local hash = sha256hex('{"prevHash":"' .. prev .. '","record":' .. json .. ',"seq":' .. s .. '}')
  redis.call('RPUSH', list, s .. ' ' .. prev .. ' ' .. hash .. ' ' .. json)
  redis.call('HSET', head, 'seq', s, 'hash', hash)
  return seq
end
`;

/**
 * Compare-and-swap with riders and an optional fence.
 * KEYS: [key hash, revision counter, …append lists, …their log heads, …add sets, …remove sets, fence lease?]
 * ARGV: [expectedVersion, json, now, expiresAt|"", gcTtlMs|"", nAppend, nAdd, nRemove,
 *        fenceOwner|"", fenceToken|"", …append records, …added members, …removed members]
 * Returns 1 if written, 0 if the version did not match or the fence lease is not held with that token.
 */
export const COMPARE_AND_SWAP = `${CURRENT_VERSION}${CHAIN_APPEND}
local now = tonumber(ARGV[3])
if current_version(KEYS[1], now) ~= tonumber(ARGV[1]) then return 0 end
local n_append, n_add, n_remove = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if ARGV[9] ~= '' then
  local lease = redis.call('HMGET', KEYS[3 + 2 * n_append + n_add + n_remove], 'owner', 'token', 'exp')
  if lease[1] ~= ARGV[9] or lease[2] ~= ARGV[10] or now >= tonumber(lease[3]) then return 0 end
end
local k, a = 3, 11
for _ = 1, n_append do chain_append(KEYS[k], KEYS[k + n_append], ARGV[a]); k = k + 1; a = a + 1 end
k = k + n_append
for _ = 1, n_add do redis.call('SADD', KEYS[k], ARGV[a]); k = k + 1; a = a + 1 end
for _ = 1, n_remove do redis.call('SREM', KEYS[k], ARGV[a]); k = k + 1; a = a + 1 end
local version = redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1])
if ARGV[4] == '' then
  redis.call('HSET', KEYS[1], 'v', ARGV[2], 'ver', version)
else
  redis.call('HSET', KEYS[1], 'v', ARGV[2], 'ver', version, 'exp', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return 1
`;

/**
 * KEYS: [key hash]  ARGV: [now]
 * Returns 1 if a live key was deleted, 0 otherwise (an expired leftover is deleted too).
 */
export const DELETE = `${CURRENT_VERSION}
local live = current_version(KEYS[1], tonumber(ARGV[1]))
local existed = redis.call('DEL', KEYS[1])
if existed == 1 and live ~= 0 then return 1 end
return 0
`;

/**
 * KEYS: [claim]  ARGV: [now, expiresAt, gcTtlMs]
 * Returns 1 if claimed, 0 if an unexpired claim exists.
 */
export const CLAIM_ONCE = `
local exp = redis.call('GET', KEYS[1])
if exp and tonumber(ARGV[1]) < tonumber(exp) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * KEYS: [lease hash, revision counter]  ARGV: [owner, now, expiresAt, gcTtlMs]
 * Returns the new fencing token (the next store revision), or 0 if someone holds the lease. A token left by
 * an older version of this store (counted per lease) is stepped over, so tokens never go back.
 */
export const ACQUIRE_LEASE = `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'exp', 'token')
if cur[1] and tonumber(ARGV[2]) < tonumber(cur[2]) then return 0 end
local token = redis.call('INCR', KEYS[2])
if cur[3] and tonumber(cur[3]) >= token then
  token = tonumber(cur[3]) + 1
  redis.call('SET', KEYS[2], string.format('%d', token))
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', string.format('%d', token), 'exp', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return token
`;

/**
 * KEYS: [lease hash]  ARGV: [owner, token, now, newExpiresAt, gcTtlMs]
 * Returns 1 if renewed, 0 if the lease is lost (other owner or token, expired, released).
 */
export const RENEW_LEASE = `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'token', 'exp')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] or tonumber(ARGV[3]) >= tonumber(cur[3]) then return 0 end
redis.call('HSET', KEYS[1], 'exp', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/**
 * KEYS: [lease hash]  ARGV: [owner, token]
 * Returns 1 if released (the hash is deleted: tokens come from the revision counter).
 */
export const RELEASE_LEASE = `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'token')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/** KEYS: [log list, log head]  ARGV: [record JSON]  Returns the entry's sequence number. */
export const APPEND_LOG = `${CHAIN_APPEND}
return chain_append(KEYS[1], KEYS[2], ARGV[1])
`;

/**
 * KEYS: [log list, log head]  ARGV: [throughSeq, record JSON]
 * Removes the entries up to throughSeq, records the last one's hash as the prune point, appends the record.
 * Returns {removed, seq}; an error reply starting with RANGE when throughSeq is past the head.
 */
export const PRUNE_LOG = `${CHAIN_APPEND}
local h = redis.call('HMGET', KEYS[2], 'seq', 'pseq')
local head_seq = tonumber(h[1] or redis.call('LLEN', KEYS[1]))
local pseq = tonumber(h[2] or '0')
local through = tonumber(ARGV[1])
if through > head_seq then
  return redis.error_reply('RANGE cannot prune through ' .. ARGV[1] .. ': the last entry is ' .. head_seq)
end
local removed = 0
if through > pseq then
  local n = through - pseq
  local last = redis.call('LINDEX', KEYS[1], n - 1)
  if not last then return redis.error_reply('ERR log entry ' .. ARGV[1] .. ' is missing') end
  local seq, hash = string.match(last, '^(%d+) %x+ (%x+) ')
  if seq and tonumber(seq) ~= through then
    return redis.error_reply('ERR log entry ' .. ARGV[1] .. ' is not where it should be')
  end
  redis.call('LTRIM', KEYS[1], n, -1)
  removed = n
  redis.call('HSET', KEYS[2], 'pseq', ARGV[1], 'phash', hash or string.rep('0', 64))
end
return {removed, chain_append(KEYS[1], KEYS[2], ARGV[2])}
`;

/**
 * One page of a log. KEYS: [log list, log head]
 * ARGV: ["asc"|"desc", cursor index|"" (first page), prune point the cursor was computed at, afterSeq, count]
 * Returns {pseq, first index, …entries}. The cursor is a list index; a prune between two pages shifts it by
 * the number of entries removed, so paging neither skips nor repeats entries.
 */
export const READ_LOG_PAGE = `
local pseq = tonumber(redis.call('HGET', KEYS[2], 'pseq') or '0')
local len = redis.call('LLEN', KEYS[1])
local count = tonumber(ARGV[5])
local first, last
if ARGV[1] == 'asc' then
  if ARGV[2] == '' then first = tonumber(ARGV[4]) - pseq else first = tonumber(ARGV[2]) - (pseq - tonumber(ARGV[3])) end
  if first < 0 then first = 0 end
  last = first + count - 1
else
  if ARGV[2] == '' then last = len - 1 else last = tonumber(ARGV[2]) - (pseq - tonumber(ARGV[3])) end
  if last > len - 1 then last = len - 1 end
  if last < 0 then return {string.format('%d', pseq), '0'} end
  first = math.max(0, last - count + 1)
end
local items = redis.call('LRANGE', KEYS[1], first, last)
local reply = {string.format('%d', pseq), string.format('%d', first)}
for i = 1, #items do reply[i + 2] = items[i] end
return reply
`;
