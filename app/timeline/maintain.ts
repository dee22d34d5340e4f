import { FOR_CACHE_FILL } from '../infra/db';
import { entryIdsByAuthors, entryIdsSince } from '../records/tweets';
import { isCelebrity, timelineCap } from './build';
import { keys } from '../cache/keys';
import { scriptPipeline, store } from '../cache/store';

/** How many of a new followee's recent entries a follow merges in (Mastodon merges 200). */
const FOLLOW_MERGE = 200;
const cap = () => String(timelineCap());

/**
 * Puts a new entry in its author's own home timeline and recent-entries cache right after
 * commit, so the author reads their own write; followers get it through the fan-out job.
 */
export async function addOwnEntry(authorId: string, entryId: string): Promise<void> {
  await store.addToTimelines(2, keys.home(authorId), keys.author(authorId), entryId, cap());
}

/** Takes deleted entries out of their author's timelines and the tweet cache. */
export async function removeOwnEntries(entries: { id: string; authorId: string }[]): Promise<void> {
  if (entries.length === 0) return;
  const pipeline = scriptPipeline();
  for (const { id, authorId } of entries) {
    pipeline.zrem(keys.home(authorId), id);
    pipeline.zrem(keys.author(authorId), id);
    pipeline.del(keys.tweet(id));
  }
  await pipeline.exec();
}

/** Takes entries out of many timelines (followers of a deleted tweet's author). */
export async function removeFromTimelines(timelineKeys: string[], ids: string[]): Promise<void> {
  if (timelineKeys.length === 0 || ids.length === 0) return;
  const pipeline = scriptPipeline();
  for (const key of timelineKeys) pipeline.zrem(key, ...ids);
  await pipeline.exec();
}

/** A new follow: the followee's recent entries join the follower's timeline. */
export async function mergeFollow(
  followerId: string,
  followeeId: string,
  followeeFollowers: number,
): Promise<void> {
  if (isCelebrity(followeeFollowers)) {
    await store.updateExistingSet(keys.celebrities(followerId), 'add', followeeId);
    return;
  }
  const ids = await entryIdsByAuthors([followeeId], FOLLOW_MERGE, {}, FOR_CACHE_FILL);
  if (ids.length > 0) await store.mergeIntoTimeline(keys.home(followerId), cap(), ...ids);
}

/** An unfollow: the former followee's entries leave the follower's timeline. */
export async function unmergeFollow(followerId: string, followeeId: string): Promise<void> {
  await store.updateExistingSet(keys.celebrities(followerId), 'rem', followeeId);
  const oldest = await store.zrangebyscore(keys.home(followerId), '(0', '+inf', 'LIMIT', 0, 1);
  if (oldest.length === 0) return;
  // Only entries as new as the timeline's oldest can be in it.
  const ids = await entryIdsSince([followeeId], oldest[0], FOR_CACHE_FILL);
  for (let i = 0; i < ids.length; i += 500) {
    await store.zrem(keys.home(followerId), ...ids.slice(i, i + 500));
  }
}
