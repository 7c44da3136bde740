-- A peer claims the right to clear a dead instance's users: only while its
-- heartbeat is gone and no other peer holds the claim. Once the instance
-- beats again, no peer can claim it, and it resets its users only after a
-- claim made before ends (heartbeat.lua says so).
-- KEYS[1] {instance}:alive   KEYS[2] {instance}:reaping
-- ARGV[1] how long the claim lasts at most (seconds)
-- Returns 1 when claimed.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
if redis.call('SET', KEYS[2], 1, 'NX', 'EX', ARGV[1]) then
  return 1
end
return 0
