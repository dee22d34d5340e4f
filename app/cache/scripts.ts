import type Redis from 'ioredis';
import type { ChainableCommander, Cluster } from 'ioredis';
import { PREFIX, SENTINEL, TIMELINE_TTL_SECONDS, USER_TAG, VIEWER_FLAGS } from './keys';
import { HOUR_MS } from './hourlyRanking';
import { COUNTS_START } from './tweetRecord';

/**
 * Lua scripts: each does in one round trip what would otherwise take one per tweet or per
 * follower. `homePage` and `hydrateTweets` name keys built from their arguments, which one
 * Redis (or a Sentinel pair) allows and a Redis Cluster refuses: on a cluster those reads go
 * through `homeIds`, `viewerFlags` and per-node pipelines instead (app/tweets/clusterReads.ts,
 * docs/decisions/0017). Every other script declares its keys, all in one slot.
 */

/** Timelines live this long after their last write; a read does not extend them. */
const TTL = TIMELINE_TTL_SECONDS;

/** Members per SADD when a script writes a set whole (Lua's unpack takes a few thousand). */
const SADD_CHUNK = 1000;

/**
 * A Lua string literal of `text`. Key prefixes reach the scripts only through this, so the
 * Lua spells no prefix of its own (keys.ts owns them). Only characters that need no escape
 * in a Lua string are taken, so nothing interpolated can end the literal early.
 */
export function luaString(text: string): string {
  if (!/^[\w:.,"{}-]*$/.test(text)) throw new Error(`not a Lua-safe constant: ${text}`);
  return `'${text}'`;
}

/** `{'a', 'b'}`: a Lua table of string constants. */
const luaList = (texts: readonly string[]) => `{${texts.map(luaString).join(', ')}}`;

/** A user's key of a prefix, laid out as keys.ts userKey lays it out (the id as hash tag). */
const USER_KEY = `
local function userKey(prefix, id)
  return prefix .. ${luaString(USER_TAG.open)} .. id .. ${luaString(USER_TAG.close)}
end
`;

/** The viewer-flag sets' key prefixes, in VIEWER_FLAGS order, and a viewer's keys of them. */
const FLAG_KEYS = `${USER_KEY}
local FLAG_PREFIXES = ${luaList(VIEWER_FLAGS.map((flag) => flag.prefix))}
local function flagKeys(viewer)
  local keys = {}
  for f, prefix in ipairs(FLAG_PREFIXES) do keys[f] = userKey(prefix, viewer) end
  return keys
end
`;

/**
 * For rendering, the JSON text of every combination of the flags' values: FLAG_JSON[1 + bits],
 * bit f - 1 of bits being flag f (`,"liked":true,"retweeted":false` is FLAG_JSON[2]). An item
 * then takes one constant whatever the number of flags, as cheap as two hand-written flags.
 */
const FLAG_JSON = `
local FLAG_JSON = ${luaList(
  Array.from({ length: 2 ** VIEWER_FLAGS.length }, (_, bits) =>
    VIEWER_FLAGS.map(
      ({ name }, f) => `,${JSON.stringify(name)}:${(bits >> f) & 1 ? 'true' : 'false'}`,
    ).join(''),
  ),
)}
`;

/**
 * The cached records of tweets by id (false where one is not cached): one MGET of those not
 * read yet in this call of the script, so filtering a page and rendering it read each once.
 */
const TWEET_RECORDS = `
local TWEET = ${luaString(PREFIX.tweet)}
local fetched = {}
local function tweetRecords(ids)
  local keys, wanted, asked = {}, {}, {}
  for _, id in ipairs(ids) do
    if fetched[id] == nil and not wanted[id] then
      wanted[id] = true
      asked[#asked + 1] = id
      keys[#asked] = TWEET .. id
    end
  end
  if #keys > 0 then
    local found = redis.call('MGET', unpack(keys))
    for k, id in ipairs(asked) do fetched[id] = found[k] end
  end
  local records = {}
  for i, id in ipairs(ids) do records[i] = fetched[id] end
  return records
end
`;

/**
 * Skipping entries a viewer must not see: those whose author, or whose original's author for
 * a retweet, is in the viewer's hidden set (app/safety/hidden.ts). The author is read from a
 * record's prefix, whose first object is the author (a tweet's `author`, a retweet entry's
 * `retweetedBy`: app/tweets/presenter.ts prefixOf keeps that order). An entry whose record
 * (or original's) is not cached is kept: the render then fails and Node's slower path, which
 * reads it, filters it (app/tweets/homeTimeline.ts).
 */
/** How many rounds of `count` candidates one home page reads at most to fill a filtered page. */
const HOME_SCAN_ROUNDS = 10;

/**
 * spendPoint(key, seconds): one point of a rate-limit window counted on `key`, as
 * rate-limiter-flexible's RateLimiterRedis counts it (the same key and steps, so a request
 * spent here and one spent through the limiter share the budget); answers the points
 * consumed so far and the window's ms left (app/http/rateLimit.ts requestCounter).
 */
const SPEND_POINT = `
local function spendPoint(key, seconds)
  redis.call('SET', key, 0, 'EX', seconds, 'NX')
  local consumed = redis.call('INCRBY', key, 1)
  local ms = redis.call('PTTL', key)
  if ms == -1 then
    redis.call('EXPIRE', key, seconds)
    ms = 1000 * tonumber(seconds)
  end
  return consumed, ms
end
`;

/**
 * A page script's last lines: `page()` alone, or, given a rate-limit counter from ARGV index
 * `first` on (key, points, seconds), the point spent first: a spent budget answers
 * {consumed, ms, 'limited'}, else the page comes after its consumed points and ms left.
 */
const spendThenPage = (first: number) => `
if not ARGV[${first}] then return page() end
local consumed, ms = spendPoint(ARGV[${first}], ARGV[${first + 2}])
if consumed > tonumber(ARGV[${first + 1}]) then return {consumed, ms, 'limited'} end
local answer = page()
table.insert(answer, 1, ms)
table.insert(answer, 1, consumed)
return answer`;

const HIDE = `
local AUTHOR_OF = '^%d+|(%d*)|{"id":"%d+",[^{]*{"id":"(%d+)"'
-- A record's retweetOf and author, matched in place (no copy of the prefix).
local function recordParts(record)
  if not record then return nil, nil end
  return string.match(record, AUTHOR_OF)
end
local function visible(hiddenKey, ids)
  if #ids == 0 then return ids end
  local records = tweetRecords(ids)
  local authors, originals, originalIds = {}, {}, {}
  for i, record in ipairs(records) do
    local rt, author = recordParts(record)
    authors[i] = author
    if rt and rt ~= '' then originals[i] = rt; originalIds[#originalIds + 1] = rt end
  end
  local originalAuthor = {}
  if #originalIds > 0 then
    for j, record in ipairs(tweetRecords(originalIds)) do
      local _, author = recordParts(record)
      if author then originalAuthor[originalIds[j]] = author end
    end
  end
  local asked = {}
  for i = 1, #ids do
    if authors[i] then asked[#asked + 1] = authors[i] end
    local o = originals[i] and originalAuthor[originals[i]]
    if o then asked[#asked + 1] = o end
  end
  if #asked == 0 then return ids end
  local member, hidden = redis.call('SMISMEMBER', hiddenKey, unpack(asked)), {}
  for k, author in ipairs(asked) do if member[k] == 1 then hidden[author] = true end end
  local keep = {}
  for i, id in ipairs(ids) do
    local o = originals[i] and originalAuthor[originals[i]]
    if not ((authors[i] and hidden[authors[i]]) or (o and hidden[o])) then keep[#keep + 1] = id end
  end
  return keep
end
`;

/**
 * Hydration. A cached tweet is one string, `version|retweetOf|json` (app/cache/tweetRecord.ts;
 * the JSON last: it may contain `|`), so a page is one MGET (two with retweets' originals)
 * and one SMISMEMBER per viewer flag: a handful of calls whatever the page size, which is
 * what keeps the script cheap for Redis.
 * Answers {ids, records (false when not cached), flags}: flags holds one list per viewer
 * flag (VIEWER_FLAGS order), and is empty when the viewer is anonymous or their sets are
 * not all cached.
 */
const HYDRATE = `${FLAG_KEYS}${TWEET_RECORDS}
local function hydrate(viewer, ids)
  local all, seen, records = {}, {}, {}
  for _, id in ipairs(ids) do
    if not seen[id] then seen[id] = true; all[#all + 1] = id end
  end
  if #all == 0 then return {all, records, {}} end
  records = tweetRecords(all)
  local extra = {}
  for _, record in ipairs(records) do
    if record then
      local original = string.match(record, '^[^|]*|([^|]*)|')
      if original and original ~= '' and not seen[original] then
        seen[original] = true
        extra[#extra + 1] = original
      end
    end
  end
  if #extra > 0 then
    local more = tweetRecords(extra)
    for i, id in ipairs(extra) do
      all[#all + 1] = id
      records[#records + 1] = more[i]
    end
  end
  local flags = {}
  if viewer ~= '' then
    local sets = flagKeys(viewer)
    if redis.call('EXISTS', unpack(sets)) == #sets then
      for f, key in ipairs(sets) do flags[f] = redis.call('SMISMEMBER', key, unpack(all)) end
    end
  end
  return {all, records, flags}
end
`;

/**
 * Rendering in Redis: on the hot path the JSON of a page is put together where the pieces
 * are, so Node only wraps it (no per-tweet parsing, no garbage to collect). Answers the
 * items' JSON joined by commas, or false when anything is missing (a record not cached, the
 * viewer's sets not cached): the caller then takes the slower path that fills the caches.
 * The text must equal what app/tweets/presenter.ts assembleTweet() makes (tests compare).
 */
const RENDER = `${FLAG_KEYS}${FLAG_JSON}${TWEET_RECORDS}
-- A record's retweetOf and JSON text (app/cache/tweetRecord.ts).
local function parse(record)
  local rt, at = string.match(record, '^%d+|(%d*)|()')
  if not at then return nil, nil end
  return rt, string.sub(record, at)
end
local function render(viewer, ids)
  if #ids == 0 then return '' end
  local records = tweetRecords(ids)
  local texts, retweetOf, targets, originals, originalKeys = {}, {}, {}, {}, {}
  for i, record in ipairs(records) do
    if not record then return false end
    local rt, text = parse(record)
    if not text then return false end
    texts[i] = text
    if rt ~= '' then
      retweetOf[i], targets[i] = rt, rt
      if not originals[rt] then originals[rt] = true; originalKeys[#originalKeys + 1] = rt end
    else
      targets[i] = ids[i]
    end
  end
  if #originalKeys > 0 then
    local found = tweetRecords(originalKeys)
    for i, id in ipairs(originalKeys) do
      if not found[i] then return false end
      local _, text = parse(found[i])
      if not text then return false end
      originals[id] = text
    end
  end
  local flags = {}
  if viewer ~= '' then
    local sets = flagKeys(viewer)
    if redis.call('EXISTS', unpack(sets)) < #sets then return false end
    for f, key in ipairs(sets) do flags[f] = redis.call('SMISMEMBER', key, unpack(targets)) end
  end
  -- Every piece goes into one list, joined once at the end: a string built per item would
  -- be copied, hashed and interned twice more (a tenth of the script's time on a page).
  local out, n, nflags = {}, 0, #flags
  for i, text in ipairs(texts) do
    local mask, bit = 1, 1
    for f = 1, nflags do
      if flags[f][i] == 1 then mask = mask + bit end
      bit = bit * 2
    end
    if i > 1 then n = n + 1; out[n] = ',' end
    local rt = retweetOf[i]
    if rt then
      out[n + 1], out[n + 2], out[n + 3] = text, ',"tweet":', originals[rt]
      out[n + 4], out[n + 5] = FLAG_JSON[mask], '}}'
      n = n + 5
    else
      out[n + 1], out[n + 2], out[n + 3] = text, FLAG_JSON[mask], '}'
      n = n + 3
    end
  end
  return table.concat(out)
end
`;

/**
 * The one trim of a timeline after entries were added: keeps rank 0 (the sentinel) and the
 * top `cap` ranks (ranks 1 to -(cap + 1) go), and renews the timeline's time to live.
 */
const TRIM = `
local function trim(key, cap)
  redis.call('ZREMRANGEBYRANK', key, 1, -(cap + 1))
  redis.call('EXPIRE', key, ${TTL})
end
`;

/**
 * Raises a user's viewer-sets marker (app/cache/viewerSets.ts) and keeps it a minute: long
 * enough for a read of MySQL that began before it to reach its write.
 */
const RAISE_MARKER = `
local function raiseMarker(marker)
  redis.call('INCR', marker)
  redis.call('EXPIRE', marker, 60)
end
`;

/** Exported for test/caching/keyPrefixes.test.ts, which reads the Lua as sent to Redis. */
export const scripts = {
  /** ARGV: viewer ('' when anonymous), ids… → hydrated records (ids first, then originals). */
  hydrateTweets: {
    numberOfKeys: 0,
    lua: `${HYDRATE}
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
return hydrate(ARGV[1], ids)`,
  },

  /**
A page of a home timeline, celebrity tweets merged in, without entries the viewer must
   * not see (their hidden set, HIDE), rendered. Hidden entries are skipped and more are read
   * (up to HOME_SCAN_ROUNDS times `count`) so a page stays full; when the rounds run out first,
   * `scanned` is the last id examined and the next page continues below it (nothing skipped).
   * ARGV: user, max (exclusive, or '+inf'), count (limit + 1, to know if more follow), limit,
   * and optionally a rate-limit counter to spend first (SPEND_POINT: key, points, seconds).
   * → {'missing'} | {'hidden'} (the hidden set to load) | {'authors', id…} (author caches to
   * rebuild) | {'page', {ids}, json|false, scanned|''}; with a counter, its consumed points
   * and ms left come first, and a spent budget answers {consumed, ms, 'limited'} alone.
   */
  homePage: {
    numberOfKeys: 0,
    lua: `${RENDER}${HIDE}${SPEND_POINT}
local function page()
local user, max, count, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local home = userKey(${luaString(PREFIX.home)}, user)
local celebs = userKey(${luaString(PREFIX.celebrities)}, user)
local hiddenKey = userKey(${luaString(PREFIX.hidden)}, user)
if redis.call('EXISTS', home, celebs) < 2 then return {'missing'} end
if redis.call('EXISTS', hiddenKey) == 0 then return {'hidden'} end
local missing, celebKeys = {}, {}
for _, celeb in ipairs(redis.call('SMEMBERS', celebs)) do
  if celeb ~= '0' then
    local key = userKey(${luaString(PREFIX.author)}, celeb)
    if redis.call('EXISTS', key) == 0 then
      table.insert(missing, celeb)
    else
      table.insert(celebKeys, key)
    end
  end
end
if #missing > 0 then
  table.insert(missing, 1, 'authors')
  return missing
end
-- The newest count entries below upper: the timeline's, merged with followed celebrities'.
local function candidates(upper)
  local ids = redis.call('ZREVRANGEBYSCORE', home, upper, '(0', 'LIMIT', 0, count)
  if #celebKeys == 0 then return ids end
  for _, key in ipairs(celebKeys) do
    for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', key, upper, '(0', 'LIMIT', 0, count)) do
      table.insert(ids, id)
    end
  end
  table.sort(ids, function(a, b) return tonumber(a) > tonumber(b) end)
  local page, seen = {}, {}
  for _, id in ipairs(ids) do
    if not seen[id] and #page < count then
      seen[id] = true
      table.insert(page, id)
    end
  end
  return page
end
local upper = max == '+inf' and '+inf' or ('(' .. max)
local ids, scanned = {}, ''
if redis.call('SCARD', hiddenKey) <= 1 then
  ids = candidates(upper)
else
  for round = 1, ${HOME_SCAN_ROUNDS} do
    local batch = candidates(upper)
    for _, id in ipairs(visible(hiddenKey, batch)) do
      if #ids < count then table.insert(ids, id) end
    end
    if #ids >= count or #batch < count then scanned = ''; break end
    scanned = batch[#batch]
    upper = '(' .. scanned
  end
end
local shown = {}
for i = 1, math.min(#ids, limit) do shown[i] = ids[i] end
return {'page', ids, render(user, shown), scanned}
end
${spendThenPage(5)}`,
  },

  /**
   * A page of an author's recent entries (their `author` set), rendered as the home page is,
   * without entries by or retweeting users blocked either way with the viewer (their
   * `blocked` set). ARGV: viewer, author, max (exclusive, or '+inf'), count (limit + 1),
   * limit, the timeline cap, and optionally a rate-limit counter (as homePage's).
   * → {'missing'} (the set is not there, or does not hold the page: read MySQL) |
   * {'blocked'} (the viewer's blocked set is not cached) | {'owner'} (the author and the
   * viewer block one another: no such user to them) | {'page', {ids}, json|false}
   */
  authorPage: {
    numberOfKeys: 0,
    lua: `${RENDER}${HIDE}${SPEND_POINT}
local function page()
local viewer, author, max = ARGV[1], ARGV[2], ARGV[3]
local count, limit, cap = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local entries = userKey(${luaString(PREFIX.author)}, author)
local blockedKey = userKey(${luaString(PREFIX.blocked)}, viewer)
local upper = max == '+inf' and '+inf' or ('(' .. max)
local ids = redis.call('ZREVRANGEBYSCORE', entries, upper, '(0', 'LIMIT', 0, count)
local size = redis.call('ZCARD', entries)
-- Enough ids, or the set holds every entry the author has (it is under its cap).
if size == 0 or not (#ids == count or size - 1 < cap) then return {'missing'} end
local standing = redis.call('SMISMEMBER', blockedKey, ${luaString(SENTINEL)}, author)
if standing[1] == 0 then return {'blocked'} end
if standing[2] == 1 and author ~= viewer then return {'owner'} end
local shown = {}
for i = 1, math.min(#ids, limit) do shown[i] = ids[i] end
-- Nobody blocked either way (the sentinel alone): nothing to leave out, no record to parse.
if redis.call('SCARD', blockedKey) > 1 then shown = visible(blockedKey, shown) end
return {'page', ids, render(viewer, shown)}
end
${spendThenPage(7)}`,
  },

  /**
   * Entries by id (a popular, hashtag, search, bookmarks or replies page), rendered as the
   * home page is, without those by or retweeting users blocked either way with the viewer
   * (their `blocked` set; not asked when it holds only the sentinel). A replies page names its
   * root tweet, whose author blocked either way with the viewer makes the page theirs to
   * refuse. ARGV: viewer, root tweet ('' for none), ids…
   * → {'blocked'} (the viewer's blocked set is not cached) | {'owner'} (the root's author and
   * the viewer block one another) | {'page', json|false} (false: a piece is not cached)
   */
  entriesPage: {
    numberOfKeys: 0,
    lua: `${RENDER}${HIDE}
local viewer, root = ARGV[1], ARGV[2]
local blockedKey = userKey(${luaString(PREFIX.blocked)}, viewer)
local size = redis.call('SCARD', blockedKey)
if size == 0 then return {'blocked'} end
local ids = {}
for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
if root ~= '' then
  local retweetOf, owner = recordParts(tweetRecords({root})[1])
  if not owner or retweetOf ~= '' then return {'page', false} end
  if size > 1 and owner ~= viewer and redis.call('SISMEMBER', blockedKey, owner) == 1 then
    return {'owner'}
  end
end
if size > 1 then ids = visible(blockedKey, ids) end
return {'page', render(viewer, ids)}`,
  },

  /**
   * On a Redis Cluster, the part of a home page that lies in the viewer's slot (everything of
   * theirs carries their hash tag): the candidate ids of their timeline, whom of the
   * celebrities they follow to merge, and their hidden set when small enough to send along
   * (false: ask it per page). The rest (celebrities' entries, tweet records, flags) is read a
   * pipeline per node (app/tweets/clusterReads.ts). KEYS: home, celebrities, hidden;
   * ARGV: max (exclusive, or '+inf'), count, most hidden members sent.
   * → {'missing'} | {'hidden'} | {'ids', {ids}, {celebrities}, {hidden}|false}
   */
  homeIds: {
    numberOfKeys: 3,
    lua: `
local home, celebs, hiddenKey = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', home, celebs) < 2 then return {'missing'} end
if redis.call('EXISTS', hiddenKey) == 0 then return {'hidden'} end
local upper = ARGV[1] == '+inf' and '+inf' or ('(' .. ARGV[1])
local ids = redis.call('ZREVRANGEBYSCORE', home, upper, '(0', 'LIMIT', 0, tonumber(ARGV[2]))
local hidden = false
if redis.call('SCARD', hiddenKey) <= tonumber(ARGV[3]) then
  hidden = redis.call('SMEMBERS', hiddenKey)
end
return {'ids', ids, redis.call('SMEMBERS', celebs), hidden}`,
  },

  /**
   * A viewer's flags of tweets: one list of 0/1 per VIEWER_FLAGS entry, aligned with the ids;
   * empty when their sets are not all cached. KEYS: the viewer's flag sets (one slot); ARGV: ids.
   */
  viewerFlags: {
    numberOfKeys: VIEWER_FLAGS.length,
    lua: `
if redis.call('EXISTS', unpack(KEYS)) < #KEYS then return {} end
local flags = {}
for f, key in ipairs(KEYS) do flags[f] = redis.call('SMISMEMBER', key, unpack(ARGV)) end
return flags`,
  },

  /**
   * Adds one entry to many timelines, only those that exist (a missing one is rebuilt whole
   * on its next read), and trims each to its cap. KEYS: timelines; ARGV: id, cap.
   */
  addToTimelines: {
    numberOfKeys: -1,
    lua: `${TRIM}
local id, cap = ARGV[1], tonumber(ARGV[2])
local added = 0
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    added = added + redis.call('ZADD', key, id, id)
    trim(key, cap)
  end
end
return added`,
  },

  /** Adds many entries to one existing timeline and trims it. KEYS[1]; ARGV: cap, ids… */
  mergeIntoTimeline: {
    numberOfKeys: 1,
    lua: `${TRIM}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cap = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i]) end
trim(KEYS[1], cap)
return 1`,
  },

  /**
   * Fills a user's viewer sets read from MySQL (app/cache/viewerSets.ts), unless one of them
   * changed while missing since the read began: the marker (KEYS[1], a counter updateViewerSet
   * raises) no longer holds the value read before it. A set that exists is left alone (it is
   * complete, and kept in step since it was written). KEYS[1] marker, KEYS[2..] the sets;
   * ARGV[1] the marker as read ('' when none), ARGV[2] ttl, ARGV[3..] each set's ids, joined
   * by commas.
   */
  fillViewerSets: {
    numberOfKeys: -1,
    lua: `
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local ids = {'${SENTINEL}'}
    for id in string.gmatch(ARGV[i + 1], '[^,]+') do ids[#ids + 1] = id end
    for from = 1, #ids, ${SADD_CHUNK} do
      redis.call('SADD', KEYS[i], unpack(ids, from, math.min(from + ${SADD_CHUNK} - 1, #ids)))
    end
    redis.call('EXPIRE', KEYS[i], ARGV[2])
  end
end
return 1`,
  },

  /**
   * Adds or removes a member of one of a user's viewer sets when the set exists; when it
   * does not, raises the user's marker (kept a minute), so that a fill whose read began before
   * this change does not write (fillViewerSets). KEYS[1] set, KEYS[2] marker; ARGV: 'add' or
   * 'rem', member.
   */
  updateViewerSet: {
    numberOfKeys: 2,
    lua: `${RAISE_MARKER}
if redis.call('EXISTS', KEYS[1]) == 0 then
  raiseMarker(KEYS[2])
  return 0
end
redis.call(ARGV[1] == 'add' and 'SADD' or 'SREM', KEYS[1], ARGV[2])
return 1`,
  },

  /**
   * Sets members of a user's viewer sets as a read of MySQL found them (app/cache/viewerSets.ts
   * updateViewerSetsAsRead), unless the marker moved since it was read before MySQL: another
   * write may then hold a newer state, and the sets are deleted instead (loaded whole on their
   * next read). Either way the marker is raised, so an older read does not write after this
   * one. KEYS[1] marker, KEYS[2..] the sets; ARGV[1] the marker as read ('' when none), then
   * per set 'add' or 'rem' and the member. → 1 when applied, 0 when the sets were deleted.
   */
  updateViewerSetsAsRead: {
    numberOfKeys: -1,
    lua: `${RAISE_MARKER}
local moved = (redis.call('GET', KEYS[1]) or '') ~= ARGV[1]
raiseMarker(KEYS[1])
for i = 2, #KEYS do
  if moved then
    redis.call('DEL', KEYS[i])
  elseif redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call(ARGV[2 * i - 2] == 'add' and 'SADD' or 'SREM', KEYS[i], ARGV[2 * i - 1])
  end
end
return moved and 0 or 1`,
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
   * writes the record given; mode 'counts' only replaces the counters at the end of a cached
   * tweet's record (app/cache/tweetRecord.ts). KEYS[1]; ARGV: mode, version, ttl, and the
   * record ('full') or the counters' text ('counts').
   */
  writeTweetCache: {
    numberOfKeys: 1,
    lua: `
local mode, version, ttl, given = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local current = redis.call('GET', KEYS[1])
local record = given
if current then
  local cachedVersion, rest = string.match(current, '^(%d+)(|.*)$')
  if not cachedVersion then
    if mode == 'counts' then return 0 end
  elseif tonumber(cachedVersion) > version then
    return 0
  elseif mode == 'counts' then
    local counts = string.find(rest, ${luaString(COUNTS_START)}, 1, true)
    if not counts then return 0 end
    record = ARGV[2] .. string.sub(rest, 1, counts - 1) .. given
  end
elseif mode == 'counts' then
  return 0
end
redis.call('SET', KEYS[1], record, 'EX', ttl)
return 1`,
  },

  /**
   * Moves an author's use of a tag (trending, app/cache/trending.ts) to the hour of their last
   * use, or takes it away: the hour set that counted them loses one, the new hour's gains one,
   * so each hour set scores a tag by the authors whose last use falls in it, and an author
   * counts once however often they use the tag. Does nothing until the sets are built (a
   * rebuild from MySQL then counts the use). Every key it touches is in KEYS, all in one
   * Cluster slot. KEYS: built marker, the tag's last-use set, the tag registry, the window's
   * hour sets newest first; ARGV: tag, author, current hour, new hour ('' to remove).
   */
  moveTagUse: {
    numberOfKeys: -1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local lastUse, registry = KEYS[2], KEYS[3]
local tag, author, hour = ARGV[1], ARGV[2], tonumber(ARGV[3])
local window, HOUR = #KEYS - 3, ${HOUR_MS / 1000}
local oldest = hour - window + 1
local function inWindow(h) return h and h >= oldest and h <= hour end
local function bucket(h) return KEYS[4 + hour - h] end
local previous = tonumber(redis.call('ZSCORE', lastUse, author))
if inWindow(previous) and tonumber(redis.call('ZINCRBY', bucket(previous), -1, tag)) <= 0 then
  redis.call('ZREM', bucket(previous), tag)
end
local new = tonumber(ARGV[4])
if inWindow(new) then
  redis.call('ZINCRBY', bucket(new), 1, tag)
  redis.call('EXPIREAT', bucket(new), (new + window + 1) * HOUR)
  redis.call('ZADD', lastUse, new, author)
else
  redis.call('ZREM', lastUse, author)
end
redis.call('ZREMRANGEBYSCORE', lastUse, '-inf', '(' .. oldest)
if redis.call('EXISTS', lastUse) == 1 then
  redis.call('EXPIRE', lastUse, (window + 1) * HOUR)
  redis.call('ZADD', registry, hour, tag)
else
  redis.call('ZREM', registry, tag)
end
redis.call('ZREMRANGEBYSCORE', registry, '-inf', '(' .. (oldest - 2))
redis.call('EXPIRE', registry, (window + 2) * HOUR)
return 1`,
  },
} as const;

type ScriptName = keyof typeof scripts;

export interface ChirpScripts {
  hydrateTweets(...args: string[]): Promise<unknown>;
  homePage(...args: string[]): Promise<unknown>;
  /** homePage answering bytes (ioredis makes a `Buffer` variant of every defined command). */
  homePageBuffer(...args: string[]): Promise<unknown>;
  homeIds(...args: string[]): Promise<unknown>;
  /** authorPage answering bytes, as homePageBuffer. */
  authorPageBuffer(...args: string[]): Promise<unknown>;
  /** entriesPage answering bytes, as homePageBuffer. */
  entriesPageBuffer(...args: string[]): Promise<unknown>;
  viewerFlags(...args: string[]): Promise<number[][]>;
  addToTimelines(numberOfKeys: number, ...args: string[]): Promise<number>;
  mergeIntoTimeline(key: string, ...args: string[]): Promise<number>;
  updateExistingSet(key: string, ...args: string[]): Promise<number>;
  fillViewerSets(numberOfKeys: number, ...args: (string | number)[]): Promise<number>;
  updateViewerSet(set: string, marker: string, ...args: string[]): Promise<number>;
  updateViewerSetsAsRead(numberOfKeys: number, ...args: string[]): Promise<number>;
  writeTweetCache(key: string, ...args: string[]): Promise<number>;
  moveTagUse(numberOfKeys: number, ...args: string[]): Promise<number>;
}

/** A pipeline on which the scripts can be queued too. */
export type ScriptPipeline = ChainableCommander & {
  [K in keyof ChirpScripts]: (...args: (string | number)[]) => ScriptPipeline;
};

/** Registers the scripts on a connection (ioredis runs them by EVALSHA, loading on demand). */
export function withScripts<R extends Redis | Cluster>(redis: R): R & ChirpScripts {
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
