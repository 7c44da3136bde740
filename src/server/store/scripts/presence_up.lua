-- Counts sockets of a user on an instance up (or sets the count), and
-- publishes "online" when the user was offline everywhere.
-- KEYS[1] presence:{user}   KEYS[2] online_users   KEYS[3] instance:{id}:users
-- ARGV[1] instance id   ARGV[2] user id   ARGV[3] 'incr' or 'set'   ARGV[4] count
-- ARGV[5] channel       ARGV[6] the online event
-- Returns 1 when the user came online.
if ARGV[3] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
else
  redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[4])
end
redis.call('SADD', KEYS[3], ARGV[2])
if redis.call('SADD', KEYS[2], ARGV[2]) == 1 then
  redis.call('PUBLISH', ARGV[5], ARGV[6])
  return 1
end
return 0
