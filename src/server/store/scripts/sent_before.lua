-- The message an earlier send under a nonce stored in a room, if any: a
-- retry is answered from here before any budget is spent.
-- KEYS[1] {room}:sent:{sender}   KEYS[2] {room}:messages
-- ARGV[1] the nonce
-- Returns the stored message JSON, or false.
local earlier = redis.call('HGET', KEYS[1], ARGV[1])
if not earlier then
  return false
end
local stored = redis.call('ZRANGE', KEYS[2], earlier, earlier, 'BYSCORE')
return stored[1] or false
