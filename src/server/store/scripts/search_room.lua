-- Finds a room's messages that hold every whole word and a word starting
-- with the prefix, newest first, in the room's slot.
-- The index: {room}:search is a sorted set read by lex order, one member
-- per word of each message, `{word}\0{seq as 10 hex digits}`; and
-- {room}:search_words holds each message's words (seq -> ' w1 w2 ... ').
-- KEYS[1] {room}:search   KEYS[2] {room}:search_words
-- KEYS[3] {room}:messages KEYS[4] {room}:seq
-- ARGV[1] the prefix (folded)   ARGV[2] the most messages to answer
-- ARGV[3] the most index entries (or messages) to look at
-- ARGV[4...] the whole words (folded, distinct)
-- Returns the matching messages' JSON, newest first. Words are data, never
-- patterns: they are compared with plain finds and lex ranges only.
local index, words_of, messages = KEYS[1], KEYS[2], KEYS[3]
local prefix, limit, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local whole = {}
for i = 4, #ARGV do
  whole[#whole + 1] = ARGV[i]
end

local found = {}
-- Whether message `seq` holds the query's words (it is not deleted).
local function holds(seq)
  local words = redis.call('HGET', words_of, seq)
  if not words then
    return false
  end
  for _, word in ipairs(whole) do
    if not string.find(words, ' ' .. word .. ' ', 1, true) then
      return false
    end
  end
  return string.find(words, ' ' .. prefix, 1, true) ~= nil
end
-- Adds message `seq`; true once there are enough.
local function take(seq)
  local message = redis.call('ZRANGE', messages, seq, seq, 'BYSCORE')[1]
  if message then
    found[#found + 1] = message
  end
  return #found >= limit
end
local function seq_of(entry)
  return tonumber(string.sub(entry, -10), 16)
end

-- How many messages each word of the query is in (a prefix: how many
-- index entries start with it); a word in none ends the search.
local low, high = '[' .. prefix, '(' .. prefix .. '\255'
local lead, fewest
for _, word in ipairs(whole) do
  local count = redis.call('ZLEXCOUNT', index, '[' .. word .. '\0', '(' .. word .. '\1')
  if count == 0 then
    return found
  end
  if not fewest or count < fewest then
    lead, fewest = word, count
  end
end
local prefixed = redis.call('ZLEXCOUNT', index, low, high)
if prefixed == 0 then
  return found
end
local rarest = math.min(fewest or prefixed, prefixed)
local last = tonumber(redis.call('GET', KEYS[4]) or '0')

if rarest * rarest > limit * last or rarest > budget then
  -- Common words: walking the room newest first meets `limit` matches
  -- within about limit * last / rarest messages, fewer than the entries.
  for seq = last, math.max(1, last - budget + 1), -1 do
    if holds(seq) and take(seq) then
      break
    end
  end
  return found
end

if lead and fewest <= prefixed then
  -- The rarest whole word leads: its messages newest first.
  local offset = 0
  while offset < budget do
    local entries = redis.call('ZREVRANGEBYLEX', index, '(' .. lead .. '\1', '[' .. lead .. '\0',
      'LIMIT', offset, 200)
    if #entries == 0 then
      break
    end
    for _, entry in ipairs(entries) do
      local seq = seq_of(entry)
      if holds(seq) and take(seq) then
        return found
      end
    end
    offset = offset + #entries
  end
  return found
end

-- The prefix leads: the messages of every word that starts with it,
-- newest first.
local seqs, seen = {}, {}
for _, entry in ipairs(redis.call('ZRANGEBYLEX', index, low, high)) do
  local seq = seq_of(entry)
  if not seen[seq] then
    seen[seq] = true
    seqs[#seqs + 1] = seq
  end
end
table.sort(seqs, function(a, b) return a > b end)
for _, seq in ipairs(seqs) do
  if holds(seq) and take(seq) then
    break
  end
end
return found
