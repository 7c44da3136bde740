-- Stores a message and publishes it, in one step in the room's slot:
-- membership check, a retry of a send already stored under its nonce, the
-- message it answers, next seq and rev, ZADD, the room's changes, who it
-- names, its words in the room's search index, the sender's read mark,
-- the nonce, PUBLISH. The sender's budget
-- was taken just before, in the sender's own slot (take_budget.lua).
-- KEYS[1] {room}:members   KEYS[2] {room}:seq        KEYS[3] {room}:messages
-- KEYS[4] {room}:read      KEYS[5] {room}:sent:{sender}
-- KEYS[6] {room}:sent:{sender}:order
-- KEYS[7] {room}:rev       KEYS[8] {room}:changes    KEYS[9] {room}:mentions
-- KEYS[10] {room}:search   KEYS[11] {room}:search_words
-- ARGV[1] sender's user id
-- ARGV[2] the message as JSON without its seq, rev, date and mentions,
--         starting with '{' and ending with '}'
-- ARGV[3] the channel     ARGV[4] 'PUBLISH', or 'SPUBLISH' on a cluster
-- ARGV[5], ARGV[6] text before and after the message in the published event
-- ARGV[7] the nonce, or '' for a send without one
-- ARGV[8] how many of the sender's nonces to remember here
-- ARGV[9] how long to remember them (seconds)
-- ARGV[10] '1' when the client says this send retries an earlier one under
--          the same nonce, else ''
-- ARGV[11] the seq the message answers, or ''
-- ARGV[12] the text's search words (folded, distinct), joined by spaces
-- ARGV[13] its date (Unix ms); a date earlier than the room's last
--          message's is raised to it
-- ARGV[14...] ids of the users the text names (members or not)
-- Returns -1 when the sender is not a member, -2 when the message it
-- answers is not in the room, else {'stored', message JSON} or (a retry
-- only) {'before', the message the earlier send with the same nonce
-- stored}: then nothing is stored or published. Nothing is stored unless
-- 'stored' is returned.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
  return -1
end

local nonce = ARGV[7]
if nonce ~= '' and ARGV[10] == '1' then
  local earlier = redis.call('HGET', KEYS[5], nonce)
  if earlier then
    local stored = redis.call('ZRANGE', KEYS[3], earlier, earlier, 'BYSCORE')
    if stored[1] then
      return {'before', stored[1]}
    end
  end
end

local reply_to = ARGV[11]
if reply_to ~= '' and #redis.call('ZRANGE', KEYS[3], reply_to, reply_to, 'BYSCORE') == 0 then
  return -2
end

-- A room from before revisions starts its revisions at its last seq, the
-- revision its stored messages read as.
if redis.call('EXISTS', KEYS[7]) == 0 then
  redis.call('SET', KEYS[7], redis.call('GET', KEYS[2]) or 0)
end
-- A room's dates never run backwards against its seqs (two instances'
-- clocks, or two sends racing on one instance): a message is dated no
-- earlier than the one before it. The date leads a stored message's
-- fields, and in an older one only its text comes before it, where a
-- quote is escaped: the first '"date":' is the date.
local date = tonumber(ARGV[13])
local last = redis.call('ZRANGE', KEYS[3], -1, -1)[1]
if last then
  local previous = tonumber(string.match(last, '"date":(%d+)'))
  if previous and previous > date then
    date = previous
  end
end
local seq = redis.call('INCR', KEYS[2])
local rev = redis.call('INCR', KEYS[7])

local named = {}
for i = 14, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then
    named[#named + 1] = '"' .. ARGV[i] .. '"'
    redis.call('ZADD', KEYS[9], 0, ARGV[i] .. ':' .. string.format('%020d', seq))
  end
end
local body = string.sub(ARGV[2], 2)
if #named > 0 then
  body = string.sub(body, 1, -2) .. ',"mentions":[' .. table.concat(named, ',') .. ']}'
end
local member = '{"seq":' .. seq .. ',"rev":' .. rev .. ',"date":' .. string.format('%d', date) .. ',' .. body
redis.call('ZADD', KEYS[3], seq, member)
redis.call('ZADD', KEYS[8], rev, seq .. ':' .. rev)
redis.call('HSET', KEYS[4], ARGV[1], seq)
if ARGV[12] ~= '' then
  local hex = string.format('%010x', seq)
  for word in string.gmatch(ARGV[12], '[^ ]+') do
    redis.call('ZADD', KEYS[10], 0, word .. '\0' .. hex)
  end
  redis.call('HSET', KEYS[11], seq, ' ' .. ARGV[12] .. ' ')
end

if nonce ~= '' then
  local keep = tonumber(ARGV[8])
  redis.call('HSET', KEYS[5], nonce, seq)
  redis.call('LPUSH', KEYS[6], nonce)
  local dropped = redis.call('LRANGE', KEYS[6], keep, -1)
  if #dropped > 0 then
    redis.call('HDEL', KEYS[5], unpack(dropped))
    redis.call('LTRIM', KEYS[6], 0, keep - 1)
  end
  redis.call('EXPIRE', KEYS[5], ARGV[9])
  redis.call('EXPIRE', KEYS[6], ARGV[9])
end

redis.call(ARGV[4], ARGV[3], ARGV[5] .. member .. ARGV[6])
return {'stored', member}
