-- Creates a public room with a name no other room has (in any case), its
-- creator the first member; or does nothing.
-- KEYS[1] room_name:{lowercase name}  KEYS[2] room:{id}:name
-- KEYS[3] public_rooms                KEYS[4] room:{id}:members
-- KEYS[5] user:{creator}:rooms
-- ARGV[1] room id   ARGV[2] name as typed   ARGV[3] creator's user id
-- Returns 1 when created, 0 when the name is taken.
if redis.call('SETNX', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[3])
redis.call('SADD', KEYS[5], ARGV[1])
return 1
