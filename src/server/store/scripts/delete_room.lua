-- Deletes a public room's own keys, in its slot, and answers who its
-- members were (so that the caller can take it out of their lists). The
-- commit point of a deletion: from here on the room has no name, so every
-- read and write answers that there is no such room.
-- KEYS[1] {room}:name     KEYS[2] {room}:members  KEYS[3] {room}:owner
-- KEYS[4] {room}:messages KEYS[5] {room}:seq      KEYS[6] {room}:read
-- KEYS[7] {room}:rev      KEYS[8] {room}:changes  KEYS[9] {room}:mentions
-- KEYS[10] {room}:search  KEYS[11] {room}:search_words
-- Returns the member ids, or -1 when the room is gone already.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local members = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', unpack(KEYS))
return members
