import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { TIMELINE_TTL_SECONDS } from './keys';

/** Timelines live this long after their last write; a read does not extend them. */
const TTL = TIMELINE_TTL_SECONDS;

/**
 * Lua scripts: each does in one round trip what would otherwise take one per tweet or per
 * follower. They name keys built from their arguments, which a single Redis (or Sentinel
 * pair) allows; Redis Cluster would need hash tags (see docs/decisions).
 */

/**
 * Hydration. A cached tweet is one string, `version|likes|retweets|replies|retweetOf|prefix`
 * (the prefix last: it may contain `|`), so a page is one MGET (two with retweets'
 * originals) and the viewer's flags two SMISMEMBERs: a handful of calls whatever the page
 * size, which is what keeps the script cheap for Redis.
 * Answers {ids, records (false when not cached), liked, retweeted}; flags are empty when
 * the viewer is anonymous or their sets are not cached.
 */
const HYDRATE = `
local function hydrate(viewer, ids)
  local all, seen, records = {}, {}, {}
  for _, id in ipairs(ids) do
    if not seen[id] then seen[id] = true; all[#all + 1] = id end
  end
  if #all == 0 then return {all, records, {}, {}} end
  local keys = {}
  for i, id in ipairs(all) do keys[i] = 'tws:' .. id end
  records = redis.call('MGET', unpack(keys))
  local extra = {}
  for _, record in ipairs(records) do
    if record then
      local original = string.match(record, '^[^|]*|[^|]*|[^|]*|[^|]*|([^|]*)|')
      if original and original ~= '' and not seen[original] then
        seen[original] = true
        extra[#extra + 1] = original
      end
    end
  end
  if #extra > 0 then
    local extraKeys = {}
    for i, id in ipairs(extra) do extraKeys[i] = 'tws:' .. id end
    local more = redis.call('MGET', unpack(extraKeys))
    for i, id in ipairs(extra) do
      all[#all + 1] = id
      records[#records + 1] = more[i]
    end
  end
  local liked, retweeted = {}, {}
  if viewer ~= '' and redis.call('EXISTS', 'lk:' .. viewer, 'rtd:' .. viewer) == 2 then
    liked = redis.call('SMISMEMBER', 'lk:' .. viewer, unpack(all))
    retweeted = redis.call('SMISMEMBER', 'rtd:' .. viewer, unpack(all))
  end
  return {all, records, liked, retweeted}
end
`;

const scripts = {
  /** ARGV: viewer ('' when anonymous), ids… → hydrated records (ids first, then originals). */
  hydrateTweets: {
    numberOfKeys: 0,
    lua: `${HYDRATE}
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
return hydrate(ARGV[1], ids)`,
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
if redis.call('EXISTS', home, celebs) < 2 then return {'missing'} end
local ids = redis.call('ZREVRANGEBYSCORE', home, upper, '(0', 'LIMIT', 0, count)
local missing, merged = {}, false
for _, celeb in ipairs(redis.call('SMEMBERS', celebs)) do
  if celeb ~= '0' then
    local key = 'tl:u:' .. celeb
    if redis.call('EXISTS', key) == 0 then
      table.insert(missing, celeb)
    else
      for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', key, upper, '(0', 'LIMIT', 0, count)) do
        table.insert(ids, id)
        merged = true
      end
    end
  end
end
if #missing > 0 then
  table.insert(missing, 1, 'authors')
  return missing
end
if not merged then return {'page', ids, hydrate(user, ids)} end
table.sort(ids, function(a, b) return tonumber(a) > tonumber(b) end)
local page, seen = {}, {}
for _, id in ipairs(ids) do
  if not seen[id] and #page < count then
    seen[id] = true
    table.insert(page, id)
  end
end
return {'page', page, hydrate(user, page)}`,
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
    redis.call('EXPIRE', key, ${TTL})
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
redis.call('EXPIRE', KEYS[1], ${TTL})
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
   * KEYS[1]; ARGV: mode, version, ttl, likes, retweets, replies[, retweetOf, prefix]
   */
  writeTweetCache: {
    numberOfKeys: 1,
    lua: `
local mode, version, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local current = redis.call('GET', KEYS[1])
if mode == 'counts' and not current then return 0 end
local retweetOf, prefix = ARGV[7], ARGV[8]
if current then
  local cachedVersion, cachedOriginal, cachedPrefix =
    string.match(current, '^(%d+)|[^|]*|[^|]*|[^|]*|([^|]*)|(.*)$')
  if tonumber(cachedVersion) > version then return 0 end
  if mode == 'counts' then retweetOf, prefix = cachedOriginal, cachedPrefix end
end
redis.call('SET', KEYS[1], table.concat({ARGV[2], ARGV[4], ARGV[5], ARGV[6], retweetOf, prefix}, '|'), 'EX', ttl)
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
