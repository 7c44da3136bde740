-- Adds a token or a webhook to its owner's list, unless the list is full.
-- KEYS[1] {user}:tokens or {user}:hooks (hash: id -> the record's JSON)
-- ARGV[1] the id   ARGV[2] the record's JSON   ARGV[3] the most the list holds
-- Returns 1 when added, 0 when the list was full.
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
