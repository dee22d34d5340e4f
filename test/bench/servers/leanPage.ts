/**
 * The lean server's one Lua call: ZREVRANGE of the viewer's timeline, MGET of its items'
 * pre-rendered JSON, the page joined in Redis. KEYS[1] the timeline; ARGV the item key prefix
 * and the page size.
 */
export const LEAN_PAGE = `
local limit = tonumber(ARGV[2])
local ids = redis.call('ZREVRANGE', KEYS[1], 0, limit)
local n = math.min(#ids, limit)
if n == 0 then return {'', ''} end
local keys = {}
for i = 1, n do keys[i] = ARGV[1] .. ids[i] end
local items = redis.call('MGET', unpack(keys))
return {table.concat(items, ','), #ids > limit and ids[n] or ''}
`;
