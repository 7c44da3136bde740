-- Forgets an instance: its entry in the instance set and its user set.
-- With ARGV[1] 'dead' (a peer clearing it), only if it has not beaten
-- again since it was found dead.
-- KEYS[1] instances   KEYS[2] instance:{id}:users   KEYS[3] instance:{id}:alive
-- ARGV[1] 'dead' or 'stopped'   ARGV[2] instance id
-- Returns 1 when the instance was forgotten.
if ARGV[1] == 'dead' and redis.call('EXISTS', KEYS[3]) == 1 then
  return 0
end
redis.call('SREM', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
