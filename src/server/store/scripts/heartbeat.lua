-- Refreshes an instance's heartbeat.
-- KEYS[1] {instance}:alive   KEYS[2] {instance}:reaping
-- ARGV[1] the heartbeat's life (seconds)
-- Returns {lapsed, reaping}: 1 when the heartbeat had lapsed (peers may
-- have cleared, or be clearing, what the instance holds), and 1 while a
-- peer is still clearing it.
local lapsed = redis.call('SET', KEYS[1], 1, 'EX', ARGV[1], 'GET') == false
return {lapsed and 1 or 0, redis.call('EXISTS', KEYS[2])}
