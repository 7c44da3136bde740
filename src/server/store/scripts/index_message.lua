-- Enters one stored message's words in its room's search index, unless
-- they are there already (the upgrade to key layout 4 indexes the history
-- a message at a time; a send or an edit since indexed it itself).
-- KEYS[1] {room}:search   KEYS[2] {room}:search_words   KEYS[3] {room}:messages
-- ARGV[1] the seq   ARGV[2] the words of the text the caller read (folded,
-- distinct), joined by spaces   ARGV[3] that text
-- Returns 1 when indexed, 0 when not (indexed already, changed or deleted
-- since it was read, or gone).
local seq = ARGV[1]
if redis.call('HEXISTS', KEYS[2], seq) == 1 or ARGV[2] == '' then
  return 0
end
local stored = redis.call('ZRANGE', KEYS[3], seq, seq, 'BYSCORE')[1]
if not stored then
  return 0
end
local message = cjson.decode(stored)
if message.deleted or message.text ~= ARGV[3] then
  return 0
end
local hex = string.format('%010x', tonumber(seq))
for word in string.gmatch(ARGV[2], '[^ ]+') do
  redis.call('ZADD', KEYS[1], 0, word .. '\0' .. hex)
end
redis.call('HSET', KEYS[2], seq, ' ' .. ARGV[2] .. ' ')
return 1
