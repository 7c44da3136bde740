-- Counts sockets of a user on an instance up (or sets the count); when the
-- user was offline everywhere, takes the next presence version.
-- KEYS[1] presence:{user}   KEYS[2] online_users   KEYS[3] instance:{id}:users
-- KEYS[4] presence:{user}:version
-- ARGV[1] instance id   ARGV[2] user id   ARGV[3] 'incr' or 'set'   ARGV[4] count
-- Returns the new version when the user came online, else 0.
if ARGV[3] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
else
  redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[4])
end
redis.call('SADD', KEYS[3], ARGV[2])
if redis.call('SADD', KEYS[2], ARGV[2]) == 1 then
  return redis.call('INCR', KEYS[4])
end
return 0
