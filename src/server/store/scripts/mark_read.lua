-- Moves a member's read mark in a room forward, never back and never past
-- the room's last seq.
-- KEYS[1] {room}:read   KEYS[2] {room}:seq
-- ARGV[1] user id       ARGV[2] the seq read up to
-- Returns the mark after the move.
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local wanted = math.min(tonumber(ARGV[2]), last)
if wanted > current then
  redis.call('HSET', KEYS[1], ARGV[1], wanted)
  return wanted
end
return current
