/**
 * Lua scripts of the Redis store. Each touches only keys under one subject's hash tag, so it
 * runs in a single slot on Redis Cluster. Times are epoch milliseconds; numbers written back
 * go through `%.0f` because Lua 5.1 prints large doubles in exponent form.
 */

/**
 * Marks a key until ARGV[1] (ms); an existing mark keeps the later expiry.
 * KEYS[1] mark key.
 */
export const MARK_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PXAT', ARGV[1]) then return 1 end
redis.call('PEXPIREAT', KEYS[1], ARGV[1], 'GT')
return 0
`;

/**
 * Records issuance in the subject's ledger: created once; a racing earlier issuance lowers the
 * recorded time so its token is not mistaken for one issued before a data loss; the expiry
 * only grows (PEXPIREAT GT, Redis 7).
 * KEYS[1] ledger; ARGV[1] issued at, ARGV[2] expires at.
 */
export const LEDGER_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
  return 1
end
if tonumber(ARGV[1]) < tonumber(current) then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
end
redis.call('PEXPIREAT', KEYS[1], ARGV[2], 'GT')
return 0
`;

/**
 * Raises the subject's cut-off, never lowers it, and keeps it for the longer of its remaining
 * life and ARGV[2]: tokens the older cut-off revoked stay revoked as long as before.
 * KEYS[1] cut-off; ARGV[1] cut-off time, ARGV[2] ttl ms.
 */
export const CUTOFF_SCRIPT = `
local current = redis.call('GET', KEYS[1])
local value = ARGV[1]
if current and tonumber(current) > tonumber(value) then value = current end
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left > ttl then ttl = left end
redis.call('SET', KEYS[1], value, 'PX', string.format('%.0f', ttl))
return 1
`;

/**
 * Refresh-token redemption (see RedeemResult). Grace applies only while the token is the
 * family's newest redemption: once its successor was redeemed, a copy of it is a replay. The
 * clock is the server's (TIME), so every instance measures the window the same way.
 * KEYS[1] redemption hash, KEYS[2] family mark, KEYS[3] family's newest redeemed jti;
 * ARGV[1] jti, ARGV[2] candidate, ARGV[3] grace ms, ARGV[4] family expires at,
 * ARGV[5] token expires at.
 */
export const REDEEM_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {'reused'} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local grace = tonumber(ARGV[3])
local familyEnd = math.max(tonumber(ARGV[4]), now + 1)
local first = redis.call('HMGET', KEYS[1], 'at', 'successor')
if first[1] then
  if redis.call('GET', KEYS[3]) == ARGV[1] and now - tonumber(first[1]) <= grace then
    return {'grace', first[2]}
  end
  redis.call('SET', KEYS[2], '1', 'PXAT', string.format('%.0f', familyEnd))
  return {'reused'}
end
redis.call('HSET', KEYS[1], 'at', string.format('%.0f', now), 'successor', ARGV[2])
local markEnd = math.max(tonumber(ARGV[5]), now + grace + 1)
redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', markEnd))
local left = redis.call('PTTL', KEYS[3])
if left > 0 then familyEnd = math.max(familyEnd, now + left) end
redis.call('SET', KEYS[3], ARGV[1], 'PXAT', string.format('%.0f', familyEnd))
return {'fresh', ARGV[2]}
`;
