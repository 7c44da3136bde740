-- Stores a message and publishes it, in one step: membership check, a retry
-- of a send already stored under its nonce, send budget (token bucket), next seq, ZADD, the
-- sender's read mark, the nonce, PUBLISH.
-- KEYS[1] room:{id}:members   KEYS[2] budget:send:{user}   KEYS[3] room:{id}:seq
-- KEYS[4] room:{id}           KEYS[5] user:{sender}:read
-- KEYS[6] sent:{sender}       KEYS[7] sent:{sender}:order
-- ARGV[1] sender's user id    ARGV[2] burst (tokens)   ARGV[3] tokens per second
-- ARGV[4] the message as JSON without its seq, starting with '{'
-- ARGV[5] room id             ARGV[6] channel
-- ARGV[7], ARGV[8] text before and after the message in the published event
-- ARGV[9] "{room id} {nonce}", or '' for a send without a nonce
-- ARGV[10] how many of the sender's nonces to remember
-- ARGV[11] how long to remember them (seconds)
-- ARGV[12] '1' when the client says this send retries an earlier one under
--          the same nonce, else ''
-- Returns the seq, or -1 when the sender is not a member, or -2 when the
-- sender's budget is spent, or (a string, for a retry only) the stored
-- message the earlier send with the same room and nonce made: then nothing
-- is stored, spent or published. Nothing is stored unless a seq is
-- returned.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
  return -1
end

local nonce = ARGV[9]
if nonce ~= '' and ARGV[12] == '1' then
  local earlier = redis.call('HGET', KEYS[6], nonce)
  if earlier then
    local stored = redis.call('ZRANGE', KEYS[4], earlier, earlier, 'BYSCORE')
    if stored[1] then
      return stored[1]
    end
  end
end

local burst = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
local tokens = tonumber(bucket[1]) or burst
local last = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate / 1000)
if tokens < 1 then
  return -2
end
redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'ts', now)
redis.call('PEXPIRE', KEYS[2], math.ceil(burst / rate * 1000) + 1000)

local seq = redis.call('INCR', KEYS[3])
local member = '{"seq":' .. seq .. ',' .. string.sub(ARGV[4], 2)
redis.call('ZADD', KEYS[4], seq, member)
redis.call('HSET', KEYS[5], ARGV[5], seq)

if nonce ~= '' then
  local keep = tonumber(ARGV[10])
  redis.call('HSET', KEYS[6], nonce, seq)
  redis.call('LPUSH', KEYS[7], nonce)
  local dropped = redis.call('LRANGE', KEYS[7], keep, -1)
  if #dropped > 0 then
    redis.call('HDEL', KEYS[6], unpack(dropped))
    redis.call('LTRIM', KEYS[7], 0, keep - 1)
  end
  redis.call('EXPIRE', KEYS[6], ARGV[11])
  redis.call('EXPIRE', KEYS[7], ARGV[11])
end

redis.call('PUBLISH', ARGV[6], ARGV[7] .. member .. ARGV[8])
return seq
