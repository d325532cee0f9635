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
 */

/** Is the key hash live at `now`? Returns its version, or 0 (ABSENT). */
const CURRENT_VERSION = `
local function current_version(key, now)
  local cur = redis.call('HMGET', key, 'ver', 'exp')
  if not cur[1] then return 0 end
  if cur[2] and now >= tonumber(cur[2]) then return 0 end
  return tonumber(cur[1])
end
`;

/**
 * Compare-and-swap with riders and an optional fence.
 * KEYS: [key hash, revision counter, …append lists, …add sets, …remove sets, fence lease hash?]
 * ARGV: [expectedVersion, json, now, expiresAt|"", gcTtlMs|"", nAppend, nAdd, nRemove,
 *        fenceOwner|"", fenceToken|"", …append records, …added members, …removed members]
 * Returns 1 if written, 0 if the version did not match or the fence lease is not held with that token.
 */
export const COMPARE_AND_SWAP = `${CURRENT_VERSION}
local now = tonumber(ARGV[3])
if current_version(KEYS[1], now) ~= tonumber(ARGV[1]) then return 0 end
local n_append, n_add, n_remove = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if ARGV[9] ~= '' then
  local lease = redis.call('HMGET', KEYS[3 + n_append + n_add + n_remove], 'owner', 'token', 'exp')
  if lease[1] ~= ARGV[9] or lease[2] ~= ARGV[10] or now >= tonumber(lease[3]) then return 0 end
end
local k, a = 3, 11
for _ = 1, n_append do redis.call('RPUSH', KEYS[k], ARGV[a]); k = k + 1; a = a + 1 end
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
 * KEYS: [lease hash]  ARGV: [owner, now, expiresAt]
 * Returns the new fencing token, or 0 if someone holds the lease.
 */
export const ACQUIRE_LEASE = `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'exp')
if cur[1] and tonumber(ARGV[2]) < tonumber(cur[2]) then return 0 end
local token = redis.call('HINCRBY', KEYS[1], 'token', 1)
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'exp', ARGV[3])
return token
`;

/**
 * KEYS: [lease hash]  ARGV: [owner, token, now, newExpiresAt]
 * Returns 1 if renewed, 0 if the lease is lost (other owner or token, expired, released).
 */
export const RENEW_LEASE = `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'token', 'exp')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] or tonumber(ARGV[3]) >= tonumber(cur[3]) then return 0 end
redis.call('HSET', KEYS[1], 'exp', ARGV[4])
return 1
`;

/**
 * KEYS: [lease hash]  ARGV: [owner, token]
 * Returns 1 if released. The token field stays, so tokens keep increasing.
 */
export const RELEASE_LEASE = `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'token')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], 'owner')
redis.call('HSET', KEYS[1], 'exp', '0')
return 1
`;
