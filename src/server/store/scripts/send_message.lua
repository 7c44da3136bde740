-- Stores a message and publishes it, in one step: membership check, send
-- budget (token bucket), next seq, ZADD, the sender's read mark, PUBLISH.
-- KEYS[1] room:{id}:members   KEYS[2] budget:send:{user}   KEYS[3] room:{id}:seq
-- KEYS[4] room:{id}           KEYS[5] user:{sender}:read
-- ARGV[1] sender's user id    ARGV[2] burst (tokens)   ARGV[3] tokens per second
-- ARGV[4] the message as JSON without its seq, starting with '{'
-- ARGV[5] room id             ARGV[6] channel
-- ARGV[7], ARGV[8] text before and after the message in the published event
-- Returns the seq, or -1 when the sender is not a member, or -2 when the
-- sender's budget is spent. Nothing is stored unless a seq is returned.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
  return -1
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
redis.call('PUBLISH', ARGV[6], ARGV[7] .. member .. ARGV[8])
return seq
