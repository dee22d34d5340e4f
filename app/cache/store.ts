import { cacheRedis } from '../infra/redis';
import { SENTINEL, VIEWER_SET_TTL_SECONDS } from './keys';
import { withScripts, type ScriptPipeline } from './scripts';

/**
 * The cache connection (REDIS_CACHE_URL) with Chirp's timeline and cache scripts on it: every
 * key written through it may be evicted and is rebuilt from MySQL when missing.
 */
export const store = withScripts(cacheRedis);

/** A pipeline on the cache connection on which the scripts can be queued too. */
export const scriptPipeline = (): ScriptPipeline => store.pipeline() as unknown as ScriptPipeline;

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
