-- Counts a user's sockets on an instance up (or sets the count after the
-- instance's heartbeat lapsed); when the user had none anywhere, takes the
-- next presence version.
-- KEYS[1] {user}:presence   KEYS[2] {user}:presence_version
-- ARGV[1] instance id   ARGV[2] 'incr' or 'set'   ARGV[3] count
-- Returns the new version when the user came online, else 0.
local before = redis.call('HLEN', KEYS[1])
if ARGV[2] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
else
  redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[3])
end
if before == 0 then
  return redis.call('INCR', KEYS[2])
end
return 0
