-- Makes the set of online users reflect a flip, unless a newer flip of
-- that user was applied already (flips of one user, taken in its own slot,
-- may reach this slot out of order).
-- KEYS[1] {online}:users   KEYS[2] {online}:versions
-- ARGV[1] user id   ARGV[2] '1' online or '0' offline   ARGV[3] the flip's version
-- Returns 1 when applied, 0 when stale.
local applied = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[3]) <= applied then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
if ARGV[2] == '1' then
  redis.call('SADD', KEYS[1], ARGV[1])
else
  redis.call('SREM', KEYS[1], ARGV[1])
end
return 1
