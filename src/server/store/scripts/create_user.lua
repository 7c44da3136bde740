-- Claims a username and creates its user in one step, or does nothing.
-- KEYS[1] username:{lowercase name}   KEYS[2] user:{id}
-- KEYS[3] user:{id}:rooms             KEYS[4] room:0:members
-- ARGV[1] user id   ARGV[2] username as typed   ARGV[3] password hash
-- ARGV[4] id of the General room
-- Returns 1 when created, 0 when the name is taken.
if redis.call('SETNX', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], 'username', ARGV[2], 'password', ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[1])
return 1
