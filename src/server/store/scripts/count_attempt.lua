-- Counts one attempt in a fixed window and returns the count so far.
-- KEYS[1] the counter   ARGV[1] window length in milliseconds
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
