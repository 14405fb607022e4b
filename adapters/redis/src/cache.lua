-- One cache operation at the namespace's current version, atomically (one round trip).
-- KEYS[1]: the namespace's version key. ARGV[1]: the value key up to `:v`, ARGV[2]: `:<key>`,
-- ARGV[3]: 'get' | 'set' | 'del', ARGV[4]: the value (set), ARGV[5]: the TTL in ms (set).
-- The value key is built here, from the version read here: single-instance Redis only.
local version = redis.call('GET', KEYS[1]) or '0'
local key = ARGV[1] .. version .. ARGV[2]
local op = ARGV[3]
if op == 'get' then
  return redis.call('GET', key)
elseif op == 'set' then
  redis.call('SET', key, ARGV[4], 'PX', ARGV[5])
  return 1
else
  return redis.call('DEL', key)
end
