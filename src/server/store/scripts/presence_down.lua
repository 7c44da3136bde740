-- Counts a user's sockets on an instance down, or drops them all: for an
-- instance that stops ('all'), or one a peer found dead ('dead', which does
-- nothing if the instance has beaten again since: it was slow, not dead).
-- When none is left anywhere, takes the next presence version.
-- KEYS[1] presence:{user}   KEYS[2] online_users   KEYS[3] instance:{id}:users
-- KEYS[4] instance:{id}:alive   KEYS[5] presence:{user}:version
-- ARGV[1] instance id   ARGV[2] user id   ARGV[3] 'one', 'all' or 'dead'
-- Returns the new version when the user went offline, else 0.
if ARGV[3] == 'dead' and redis.call('EXISTS', KEYS[4]) == 1 then
  return 0
end
local left = 0
if ARGV[3] == 'one' then
  left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
end
if left > 0 then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('HLEN', KEYS[1]) == 0 and redis.call('SREM', KEYS[2], ARGV[2]) == 1 then
  return redis.call('INCR', KEYS[5])
end
return 0
