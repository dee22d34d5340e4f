import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';

/**
 * Lua scripts for writes that must check and change in one step (add only to timelines
 * that exist, write a cache record only if newer). They name keys built from their
 * arguments, which a single Redis (or a Sentinel-managed one) allows; Redis Cluster would
 * need hash tags (see docs/decisions). Reads use plain pipelined commands: cheaper for Redis.
 */

const scripts = {
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
