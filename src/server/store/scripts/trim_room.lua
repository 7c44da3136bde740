-- Drops a room's oldest messages past its retention, in the room's slot:
-- each message, and its entries in the room's changes, mentions and
-- search index, so that nothing points at what is gone. At most ARGV[3]
-- messages a call, oldest first; a caller that gets a full batch back
-- calls again.
-- KEYS[1] {room}:messages  KEYS[2] {room}:changes  KEYS[3] {room}:mentions
-- KEYS[4] {room}:search    KEYS[5] {room}:search_words
-- ARGV[1] the most messages the room keeps, or 0 for no such limit
-- ARGV[2] Unix ms: messages sent before it go, or 0 for no such limit
-- ARGV[3] the most messages to drop in this call
-- Returns how many messages it dropped.
local keep, before, batch = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local over = 0
if keep > 0 then
  over = math.max(0, redis.call('ZCARD', KEYS[1]) - keep)
end
local dropped = 0
for i, stored in ipairs(redis.call('ZRANGE', KEYS[1], 0, batch - 1)) do
  local message = cjson.decode(stored)
  -- Dates follow seqs (both are given at the send), so the first message
  -- young enough, once the count is met, ends the walk.
  if i > over and not (before > 0 and message.date < before) then
    break
  end
  local seq = string.format('%d', message.seq)
  -- Its changes entry is scored by the rev of its latest change (a message
  -- from before revisions: its seq).
  local rev = message.rev or message.seq
  redis.call('ZREMRANGEBYSCORE', KEYS[2], rev, rev)
  if type(message.mentions) == 'table' then
    for _, id in ipairs(message.mentions) do
      redis.call('ZREM', KEYS[3], id .. ':' .. string.format('%020d', message.seq))
    end
  end
  local words = redis.call('HGET', KEYS[5], seq)
  if words then
    local hex = string.format('%010x', message.seq)
    for word in string.gmatch(words, '[^ ]+') do
      redis.call('ZREM', KEYS[4], word .. '\0' .. hex)
    end
    redis.call('HDEL', KEYS[5], seq)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], seq, seq)
  dropped = dropped + 1
end
return dropped
