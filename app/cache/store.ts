import { cacheRedis } from '../infra/redis';
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
