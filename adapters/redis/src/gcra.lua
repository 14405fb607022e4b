-- One GCRA decision, a line-for-line port of `aurum_ports::gcra_step`.
-- KEYS[1]  the key holding the TAT (µs since the epoch, as a decimal integer string)
-- ARGV[1]  emission interval T (µs, >= 1)
-- ARGV[2]  horizon τ + T (µs)
-- ARGV[3]  increment cost × T (µs), clamped by the caller to at most horizon + 1
-- ARGV[4]  1 when the cost is above 0 (an admission then stores the new TAT), else 0
-- ARGV[5]  the time in µs to decide at, or '' to read Redis' own clock (`TIME`)
-- ARGV[6]  a floor for the key's time-to-live, in ms (0 in production)
-- Returns {allowed, new_tat, remaining, reset_after, has_retry, retry_after}, all integers.
-- Lua numbers are doubles: the caller keeps every value below 2^53, where they are exact.
if redis.replicate_commands then redis.replicate_commands() end

local function idiv(a, b) -- exact floor division of non-negative integers below 2^53
  local q = math.floor(a / b)
  if q * b > a then q = q - 1 elseif (q + 1) * b <= a then q = q + 1 end
  return q
end

local interval = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local increment = tonumber(ARGV[3])
local writes = ARGV[4] == '1'
local now
if ARGV[5] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[5])
end
local min_ttl_ms = tonumber(ARGV[6])

local base = now
local stored = redis.call('GET', KEYS[1])
if stored then
  local tat = tonumber(stored)
  if tat and tat > now then base = tat end
end

local function remaining(ahead)
  local slack = horizon - ahead
  if slack < 0 then slack = 0 end
  return idiv(slack, interval)
end

local new_tat = base + increment
local ahead = new_tat - now
if ahead <= horizon then
  if writes then
    local ttl_ms = idiv(ahead + 999, 1000)
    if ttl_ms < min_ttl_ms then ttl_ms = min_ttl_ms end
    redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', string.format('%.0f', ttl_ms))
  end
  return {1, new_tat, remaining(ahead), ahead, 0, 0}
end
local ahead_before = base - now
if increment <= horizon then
  return {0, 0, remaining(ahead_before), ahead_before, 1, ahead - horizon}
end
return {0, 0, remaining(ahead_before), ahead_before, 0, 0}
