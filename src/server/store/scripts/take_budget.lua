-- Takes one token from a user's budget (a token bucket: their sends, or
-- the pages their syncs read), or gives one back (a send that stored
-- nothing after all).
-- KEYS[1] {user}:budget or {user}:budget:sync
-- ARGV[1] burst (tokens)   ARGV[2] tokens per second   ARGV[3] 'take' or 'refund'
-- Returns 1 when a token was taken (or given back), 0 when the budget is spent.
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1]) or burst
local last = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate / 1000)
if ARGV[3] == 'refund' then
  tokens = math.min(burst, tokens + 1)
elseif tokens < 1 then
  return 0
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return 1
