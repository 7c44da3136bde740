-- Changes a stored message (edit, delete, or one user's reaction), in one
-- step in the room's slot: membership and permission checks, the new
-- state under the room's next rev, the room's changes, who it names, its
-- words in the room's search index, and the `update` event on the room's
-- channel.
-- KEYS[1] {room}:members   KEYS[2] {room}:seq        KEYS[3] {room}:messages
-- KEYS[4] {room}:rev       KEYS[5] {room}:changes    KEYS[6] {room}:mentions
-- KEYS[7] {room}:owner     KEYS[8] {room}:search     KEYS[9] {room}:search_words
-- ARGV[1] 'edit', 'delete' or 'react'
-- ARGV[2] the acting user's id   ARGV[3] the message's seq
-- ARGV[4] the channel            ARGV[5] 'PUBLISH', or 'SPUBLISH' on a cluster
-- ARGV[6] now, Unix ms
-- edit:   ARGV[7] the new text; ARGV[8] its search words (folded,
--         distinct), joined by spaces; ARGV[9...] ids of the users it names
-- delete: ARGV[7] '1' when the user is an admin and the room public, else ''
-- react:  ARGV[7] the emoji (fully qualified); ARGV[8] '1' to add it, ''
--         to take it away;
--         ARGV[9] how many different emoji a message may carry;
--         ARGV[10] the user's name, kept in `names` beside `users` (a
--         reaction stored before names were kept has none, and gets none)
-- Returns -1 not a member, -2 no such message, -3 not allowed, -4 the
-- message is deleted (edit, react), -5 too many different emoji; else
-- {'changed', message JSON} or, when the change changes nothing,
-- {'same', message JSON} (no rev taken, nothing published).
local action, user, seq = ARGV[1], ARGV[2], ARGV[3]
-- An admin deletes in any public room, a member of it or not (moderation).
local admin_delete = action == 'delete' and ARGV[7] == '1'
if not admin_delete and redis.call('SISMEMBER', KEYS[1], user) == 0 then
  return -1
end
local stored = redis.call('ZRANGE', KEYS[3], seq, seq, 'BYSCORE')[1]
if not stored then
  return -2
end
local message = cjson.decode(stored)
local function mention_entry(id)
  return id .. ':' .. string.format('%020d', tonumber(seq))
end
local hex = string.format('%010x', tonumber(seq))
local function forget_words()
  local words = redis.call('HGET', KEYS[9], seq)
  if words then
    for word in string.gmatch(words, '[^ ]+') do
      redis.call('ZREM', KEYS[8], word .. '\0' .. hex)
    end
    redis.call('HDEL', KEYS[9], seq)
  end
end
local function forget_mentions()
  for _, id in ipairs(message.mentions or {}) do
    redis.call('ZREM', KEYS[6], mention_entry(id))
  end
  message.mentions = nil
end

if action == 'edit' then
  if message.from ~= user then
    return -3
  end
  if message.deleted then
    return -4
  end
  if message.text == ARGV[7] then
    return {'same', stored}
  end
  forget_mentions()
  forget_words()
  if ARGV[8] ~= '' then
    for word in string.gmatch(ARGV[8], '[^ ]+') do
      redis.call('ZADD', KEYS[8], 0, word .. '\0' .. hex)
    end
    redis.call('HSET', KEYS[9], seq, ' ' .. ARGV[8] .. ' ')
  end
  local named = {}
  for i = 9, #ARGV do
    if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then
      named[#named + 1] = ARGV[i]
      redis.call('ZADD', KEYS[6], 0, mention_entry(ARGV[i]))
    end
  end
  if #named > 0 then
    message.mentions = named
  end
  message.text = ARGV[7]
  message.edited = tonumber(ARGV[6])
elseif action == 'delete' then
  -- Who may is checked first: a deleted message is no one else's to delete.
  if message.from ~= user and ARGV[7] ~= '1' and redis.call('GET', KEYS[7]) ~= user then
    return -3
  end
  if message.deleted then
    return {'same', stored}
  end
  forget_mentions()
  forget_words()
  message.text = ''
  message.deleted = true
  message.reactions = nil
elseif action == 'react' then
  if message.deleted then
    return -4
  end
  local emoji, on = ARGV[7], ARGV[8] == '1'
  local reactions = message.reactions or {}
  -- One emoji with or without the emoji variation selector (U+FE0F) is
  -- one reaction: a reaction stored before emoji were kept fully
  -- qualified is found by either form.
  local function plain(e)
    return (string.gsub(e, '\239\184\143', ''))
  end
  -- The reaction of that emoji, the user's own first where a message
  -- holds both forms.
  local at
  for i, reaction in ipairs(reactions) do
    if plain(reaction.emoji) == plain(emoji) then
      local own = false
      for _, id in ipairs(reaction.users) do
        if id == user then
          own = true
        end
      end
      if own or not at then
        at = i
      end
    end
  end
  if at and on then
    -- Kept as the form given (fully qualified) from now on.
    reactions[at].emoji = emoji
  end
  if on then
    if at then
      for _, id in ipairs(reactions[at].users) do
        if id == user then
          return {'same', stored}
        end
      end
      local names = reactions[at].names
      if names and #names == #reactions[at].users then
        table.insert(names, ARGV[10])
      else
        reactions[at].names = nil
      end
      table.insert(reactions[at].users, user)
    else
      if #reactions >= tonumber(ARGV[9]) then
        return -5
      end
      reactions[#reactions + 1] = {emoji = emoji, users = {user}, names = {ARGV[10]}}
    end
  else
    local found
    if at then
      for i, id in ipairs(reactions[at].users) do
        if id == user then
          found = i
        end
      end
    end
    if not found then
      return {'same', stored}
    end
    local names = reactions[at].names
    if names and #names == #reactions[at].users then
      table.remove(names, found)
    else
      reactions[at].names = nil
    end
    table.remove(reactions[at].users, found)
    if #reactions[at].users == 0 then
      table.remove(reactions, at)
    end
  end
  if #reactions > 0 then
    message.reactions = reactions
  else
    message.reactions = nil
  end
end

-- A room from before revisions starts its revisions at its last seq.
if redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('SET', KEYS[4], redis.call('GET', KEYS[2]) or 0)
end
local old_rev = message.rev or tonumber(seq)
local rev = redis.call('INCR', KEYS[4])
message.rev = rev
local entry = redis.call('ZRANGE', KEYS[5], old_rev, old_rev, 'BYSCORE')[1] or (seq .. ':' .. old_rev)
redis.call('ZADD', KEYS[5], rev, entry)
local changed = cjson.encode(message)
redis.call('ZREMRANGEBYSCORE', KEYS[3], seq, seq)
redis.call('ZADD', KEYS[3], seq, changed)
redis.call(ARGV[5], ARGV[4], '{"update":{"message":' .. changed .. '}}')
return {'changed', changed}
