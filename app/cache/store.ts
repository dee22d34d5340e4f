import { cacheRedis } from '../infra/redis';
import { SENTINEL, VIEWER_SET_TTL_SECONDS } from './keys';
import { deleteKeys, spreadPipeline } from './perNode';
import { withScripts, type ScriptPipeline } from './scripts';

/**
 * The cache connection (REDIS_CACHE_URL) with Chirp's timeline and cache scripts on it: every
 * key written through it may be evicted and is rebuilt from MySQL when missing.
 */
export const store = withScripts(cacheRedis);

/** Whether the cache is a Redis Cluster: reads spanning slots then go a pipeline per node. */
export const onCluster: boolean = store.isCluster;

/**
 * A pipeline on the cache connection on which the scripts can be queued too. On a cluster its
 * commands may be of any slots (each command's own keys in one): it sends one pipeline per
 * node (app/cache/perNode.ts).
 */
export const scriptPipeline = (): ScriptPipeline =>
  onCluster
    ? spreadPipeline<ScriptPipeline>(store)
    : (store.pipeline() as unknown as ScriptPipeline);

/** Deletes cache keys of any users or tweets (on a cluster, one DEL per slot). */
export const deleteCacheKeys = (keys: readonly string[]): Promise<void> => deleteKeys(store, keys);

/**
 * How many timelines one addToTimelines call writes: on a cluster one (a script's keys must
 * share a slot, and each user's timeline has its own), sent a pipeline per node.
 */
export const TIMELINES_PER_CALL = onCluster ? 1 : 500;

/** How many members one SADD takes when a set is written whole (one may hold tens of thousands). */
const SADD_CHUNK = 5000;

/**
 * Writes a per-user set whole, as loaded from MySQL on a miss: the sentinel (so a user with
 * no members still has a set), the members a chunk per SADD, and the set's time to live, in
 * one MULTI.
 */
export async function writeViewerSet(key: string, members: string[]): Promise<void> {
  const multi = store.multi().sadd(key, SENTINEL);
  for (let i = 0; i < members.length; i += SADD_CHUNK) {
    multi.sadd(key, ...members.slice(i, i + SADD_CHUNK));
  }
  await multi.expire(key, VIEWER_SET_TTL_SECONDS).exec();
}
