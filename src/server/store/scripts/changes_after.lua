-- The messages of a room whose latest change is above a rev, in rev
-- order, read in one step (so that each comes in the state its rev says).
-- KEYS[1] {room}:changes   KEYS[2] {room}:messages
-- ARGV[1] the rev to read above   ARGV[2] how many at most
-- Returns {stored rev, message JSON, stored rev, message JSON, ...}: the
-- rev each was stored at tells a message new since ARGV[1] from a change.
local entries = redis.call('ZRANGE', KEYS[1], '(' .. ARGV[1], '+inf', 'BYSCORE', 'LIMIT', 0, ARGV[2])
local out = {}
for _, entry in ipairs(entries) do
  local colon = string.find(entry, ':', 1, true)
  local seq = string.sub(entry, 1, colon - 1)
  local stored = redis.call('ZRANGE', KEYS[2], seq, seq, 'BYSCORE')[1]
  if stored then
    out[#out + 1] = string.sub(entry, colon + 1)
    out[#out + 1] = stored
  end
end
return out
