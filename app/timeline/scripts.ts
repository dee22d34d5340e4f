import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';

/**
 * Lua scripts: each does in one round trip what would otherwise take one per tweet or per
 * follower. They name keys built from their arguments, which a single Redis (or Sentinel
 * pair) allows; Redis Cluster would need hash tags (see docs/decisions).
 */

/** Hydrates one id into {id, prefix, likes, retweets, replies, retweetOf, liked, retweeted}. */
const HYDRATE = `
local function flags(viewer, known, id)
  if viewer == '' then return '0', '0' end
  if not known then return '?', '?' end
  return tostring(redis.call('SISMEMBER', 'lk:' .. viewer, id)),
         tostring(redis.call('SISMEMBER', 'rtd:' .. viewer, id))
end
local function hydrate(viewer, known, ids)
  local out = {}
  local originals = {}
  local seen = {}
  for _, id in ipairs(ids) do
    local h = redis.call('HMGET', 'tw:' .. id, 'b', 'l', 'r', 'p', 'rt')
    local liked, retweeted = flags(viewer, known, id)
    table.insert(out, {id, h[1] or '', h[2] or '0', h[3] or '0', h[4] or '0', h[5] or '', liked, retweeted})
    seen[id] = true
    if h[5] and h[5] ~= '' then table.insert(originals, h[5]) end
  end
  for _, id in ipairs(originals) do
    if not seen[id] then
      seen[id] = true
      local h = redis.call('HMGET', 'tw:' .. id, 'b', 'l', 'r', 'p', 'rt')
      local liked, retweeted = flags(viewer, known, id)
      table.insert(out, {id, h[1] or '', h[2] or '0', h[3] or '0', h[4] or '0', h[5] or '', liked, retweeted})
    end
  end
  return out
end
local function viewerKnown(viewer)
  return viewer ~= '' and redis.call('EXISTS', 'lk:' .. viewer) == 1 and redis.call('EXISTS', 'rtd:' .. viewer) == 1
end
`;

const scripts = {
  /** ARGV: viewer ('' when anonymous), ids… → hydrated records (ids first, then originals). */
  hydrateTweets: {
    numberOfKeys: 0,
    lua: `${HYDRATE}
local viewer = ARGV[1]
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
return hydrate(viewer, viewerKnown(viewer), ids)`,
  },

  /**
   * A page of a home timeline, celebrity tweets merged in, hydrated.
   * ARGV: user, max (exclusive, or '+inf'), count.
   * → {'missing'} | {'authors', id…} (author caches to rebuild) | {'page', {ids}, records}
   */
  homePage: {
    numberOfKeys: 0,
    lua: `${HYDRATE}
local user, max, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local upper = max == '+inf' and '+inf' or ('(' .. max)
local home, celebs = 'tl:h:' .. user, 'tl:c:' .. user
if redis.call('EXISTS', home) == 0 or redis.call('EXISTS', celebs) == 0 then return {'missing'} end
local ids = redis.call('ZREVRANGEBYSCORE', home, upper, '(0', 'LIMIT', 0, count)
local missing = {}
for _, celeb in ipairs(redis.call('SMEMBERS', celebs)) do
  if celeb ~= '0' then
    local key = 'tl:u:' .. celeb
    if redis.call('EXISTS', key) == 0 then
      table.insert(missing, celeb)
    else
      for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', key, upper, '(0', 'LIMIT', 0, count)) do
        table.insert(ids, id)
      end
    end
  end
end
if #missing > 0 then
  table.insert(missing, 1, 'authors')
  return missing
end
table.sort(ids, function(a, b) return tonumber(a) > tonumber(b) end)
local page, seen = {}, {}
for _, id in ipairs(ids) do
  if not seen[id] and #page < count then
    seen[id] = true
    table.insert(page, id)
  end
end
redis.call('EXPIRE', home, ${14 * 86_400})
redis.call('EXPIRE', celebs, ${14 * 86_400})
return {'page', page, hydrate(user, viewerKnown(user), page)}`,
  },

  /**
   * Adds one entry to many timelines, only those that exist (a missing one is rebuilt whole
   * on its next read), and trims each to its cap. KEYS: timelines; ARGV: id, cap.
   * Trimming keeps rank 0 (the sentinel) and the top `cap` ranks: ranks 1 to -(cap + 1) go.
   */
  addToTimelines: {
    numberOfKeys: -1,
    lua: `
local id, cap = ARGV[1], tonumber(ARGV[2])
local added = 0
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    added = added + redis.call('ZADD', key, id, id)
    redis.call('ZREMRANGEBYRANK', key, 1, -(cap + 1))
  end
end
return added`,
  },

  /** Adds many entries to one existing timeline and trims it. KEYS[1]; ARGV: cap, ids… */
  mergeIntoTimeline: {
    numberOfKeys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cap = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i]) end
redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(cap + 1))
return 1`,
  },

  /** Adds or removes set members only when the set exists. KEYS[1]; ARGV: 'add'|'rem', members… */
  updateExistingSet: {
    numberOfKeys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local op = ARGV[1] == 'add' and 'SADD' or 'SREM'
for i = 2, #ARGV do redis.call(op, KEYS[1], ARGV[i]) end
return 1`,
  },

  /**
   * Writes a tweet's cache record unless a newer version is already there. Mode 'full'
   * creates it; mode 'counts' only refreshes counters of an existing record.
   * KEYS[1]; ARGV: mode, version, ttl, field, value, …
   */
  writeTweetCache: {
    numberOfKeys: 1,
    lua: `
local mode, version, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local current = redis.call('HGET', KEYS[1], 'v')
if mode == 'counts' and not current then return 0 end
if current and tonumber(current) > version then return 0 end
local fields = {'v', ARGV[2]}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ttl)
return 1`,
  },
} as const;

type ScriptName = keyof typeof scripts;

export interface ChirpScripts {
  hydrateTweets(...args: string[]): Promise<unknown>;
  homePage(...args: string[]): Promise<unknown>;
  addToTimelines(numberOfKeys: number, ...args: string[]): Promise<number>;
  mergeIntoTimeline(key: string, ...args: string[]): Promise<number>;
  updateExistingSet(key: string, ...args: string[]): Promise<number>;
  writeTweetCache(key: string, ...args: string[]): Promise<number>;
}

/** A pipeline on which the scripts can be queued too. */
export type ScriptPipeline = ChainableCommander & {
  [K in keyof ChirpScripts]: (...args: (string | number)[]) => ScriptPipeline;
};

/** Registers the scripts on a connection (ioredis runs them by EVALSHA, loading on demand). */
export function withScripts<R extends Redis>(redis: R): R & ChirpScripts {
  for (const [name, script] of Object.entries(scripts) as [
    ScriptName,
    (typeof scripts)[ScriptName],
  ][]) {
    if (!(name in redis)) {
      redis.defineCommand(name, {
        lua: script.lua,
        ...(script.numberOfKeys >= 0 ? { numberOfKeys: script.numberOfKeys } : {}),
      });
    }
  }
  return redis as R & ChirpScripts;
}
