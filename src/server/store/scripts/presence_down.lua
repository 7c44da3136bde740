-- Counts a user's sockets on an instance down ('one'), or drops them all
-- ('all': the instance stops, or a peer clears a dead one). When none is
-- left anywhere, takes the next presence version.
-- KEYS[1] {user}:presence   KEYS[2] {user}:presence_version
-- ARGV[1] instance id   ARGV[2] 'one' or 'all'
-- Returns the new version when the user went offline, else 0.
if ARGV[2] == 'one' and redis.call('HINCRBY', KEYS[1], ARGV[1], -1) > 0 then
  return 0
end
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 and redis.call('HLEN', KEYS[1]) == 0 then
  return redis.call('INCR', KEYS[2])
end
return 0
