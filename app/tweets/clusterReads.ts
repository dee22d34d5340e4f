import type { ChainableCommander } from 'ioredis';
import { SENTINEL, keys } from '../cache/keys';
import { perNode, type CacheClient, type Reply, type Routed } from '../cache/perNode';
import type { ChirpScripts, ScriptPipeline } from '../cache/scripts';
import { retweetOfRecord } from '../cache/tweetRecord';

/**
 * Tweet pages read from a Redis Cluster cache (docs/decisions/0017). One instance answers a
 * page in one script call; a cluster refuses a script that reaches keys of other slots, so
 * here a page is read in rounds, each one pipeline per node: the viewer's own slot (their
 * timeline, celebrities, hidden set), then the tweet records with the viewer's flags, then
 * retweets' originals. Node assembles the JSON (app/tweets/cache.ts assemble).
 */

type Store = CacheClient & ChirpScripts;

/** What one page's records and flags answer: as the hydrate script answers (cache.ts Hydrated). */
type Hydrated = [string[], (string | null)[], number[][]];

/** At most this many hidden authors come with a page's ids; more are asked per page. */
const HIDDEN_SENT = 1000;

/**
 * One round: the cached records of `ids`, by node, and the viewer's flags of them on the
 * viewer's node, in the same pipelines. A node that fails leaves its records null (read from
 * MySQL by the caller) and unknown flags empty, so a failover costs MySQL reads, not errors.
 */
async function recordsAndFlags(
  store: Store,
  viewerId: string,
  ids: string[],
): Promise<{ records: (string | null)[]; flags: number[][] }> {
  const commands: Routed[] = ids.map((id) => ({
    key: keys.tweet(id),
    add: (pipeline: ChainableCommander) => pipeline.get(keys.tweet(id)),
  }));
  const flagKeys = viewerId === '' ? [] : keys.viewerFlags(viewerId);
  if (flagKeys.length > 0) {
    commands.push({
      key: flagKeys[0],
      add: (pipeline) => (pipeline as ScriptPipeline).viewerFlags(...flagKeys, ...ids),
    });
  }
  const replies = await perNode(store, commands);
  const valueOr = <T>([error, value]: Reply, fallback: T): T =>
    error ? fallback : ((value ?? fallback) as T);
  return {
    records: replies.slice(0, ids.length).map((reply) => valueOr<string | null>(reply, null)),
    flags: flagKeys.length > 0 ? valueOr<number[][]>(replies[ids.length], []) : [],
  };
}

/**
 * What the hydrate script answers, read from a cluster: the records of `ids` (distinct) and
 * then of the originals of retweets among them, with the viewer's flags of all (none when the
 * viewer is anonymous or their sets are not all cached). One round, two with retweets.
 */
export async function hydrateFromCluster(
  store: Store,
  viewerId: string,
  ids: string[],
): Promise<Hydrated> {
  const all = [...new Set(ids)];
  const first = await recordsAndFlags(store, viewerId, all);
  const seen = new Set(all);
  const originals: string[] = [];
  for (const record of first.records) {
    const original = record && retweetOfRecord(record);
    if (original && !seen.has(original)) {
      seen.add(original);
      originals.push(original);
    }
  }
  if (originals.length === 0) return [all, first.records, first.flags];
  const second = await recordsAndFlags(store, viewerId, originals);
  const flags =
    first.flags.length > 0 && second.flags.length > 0
      ? first.flags.map((list, f) => [...list, ...second.flags[f]])
      : [];
  return [[...all, ...originals], [...first.records, ...second.records], flags];
}

/** Newest first: ids are decimal row ids without leading zeros (longer is newer). */
const newer = (a: string, b: string) => b.length - a.length || (a < b ? 1 : a > b ? -1 : 0);

/** The `count` newest distinct ids of `ids`. */
const newestFirst = (ids: string[], count: number) => [...new Set(ids)].sort(newer).slice(0, count);

/**
 * The candidate ids of a home page on a cluster, as the homePage script answers on one
 * instance but never rendered: `missing` (rebuild the timeline), `hidden` (load the hidden
 * set), `authors` (celebrities' caches to rebuild), or the page's ids with the viewer's hidden
 * authors (null when there are too many to send along: the caller reads them).
 */
export async function homeIdsFromCluster(
  store: Store,
  viewerId: string,
  below: string | undefined,
  count: number,
): Promise<
  ['missing'] | ['hidden'] | ['authors', ...string[]] | ['page', string[], Set<string> | null]
> {
  const reply = (await store.homeIds(
    keys.home(viewerId),
    keys.celebrities(viewerId),
    keys.hidden(viewerId),
    below ?? '+inf',
    String(count),
    String(HIDDEN_SENT),
  )) as ['missing'] | ['hidden'] | ['ids', string[], string[], string[] | null];
  if (reply[0] !== 'ids') return [reply[0]];
  const [, own, celebrityMembers, hiddenMembers] = reply;
  const hidden = hiddenMembers && new Set(hiddenMembers.filter((id) => id !== SENTINEL));
  const celebrities = celebrityMembers.filter((id) => id !== SENTINEL);
  if (celebrities.length === 0) return ['page', own, hidden];
  const upper = below ? `(${below}` : '+inf';
  const replies = await perNode(
    store,
    celebrities.flatMap((celebrity) => {
      const key = keys.author(celebrity);
      return [
        { key, add: (pipeline: ChainableCommander) => pipeline.exists(key) },
        {
          key,
          add: (pipeline: ChainableCommander) =>
            pipeline.zrevrangebyscore(key, upper, '(0', 'LIMIT', 0, count),
        },
      ];
    }),
  );
  const failed = replies.find(([error]) => error)?.[0];
  if (failed) throw failed;
  const missing = celebrities.filter((_, i) => replies[2 * i][1] === 0);
  if (missing.length > 0) return ['authors', ...missing];
  const merged = celebrities.flatMap((_, i) => replies[2 * i + 1][1] as string[]);
  return ['page', newestFirst([...own, ...merged], count), hidden];
}
