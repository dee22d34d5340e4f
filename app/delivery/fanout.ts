import { FOR_CACHE_FILL } from '../infra/db';
import type { AtCommitFacts, JobPayloads } from '../queue/jobs';
import { FOR_WORKERS } from '../queue/queues';
import { keys } from '../cache/keys';
import { TIMELINES_PER_CALL, scriptPipeline, store } from '../cache/store';
import type { z } from '../http/zod';
import { emitToUsers } from '../realtime/emitter';
import { onlineUsers } from '../realtime/presence';
import { entryAuthor } from '../records/tweets';
import { followerPage, followersAmong } from '../records/follows';
import { usersHidingAny } from '../safety/hidden';
import { isCelebrity, timelineCap } from '../timeline/build';
import { hydrateTweets } from '../tweets/cache';
import type { TimelineItem } from '../tweets/schemas';

/**
 * Delivering a new timeline entry (a tweet or a retweet): into its author's and followers'
 * home timelines, and to their sockets. Every read here goes to the primary (the entry just
 * committed, and what is read goes into timelines). A worker does it for a `fanout` job; an
 * API node does it itself right after the commit for an author with few followers
 * (docs/decisions/0019).
 */

/** Followers read per SQL page (timelines written per script call: TIMELINES_PER_CALL). */
const FOLLOWER_PAGE = 2000;

/**
 * The most followers an author may have for an API node to deliver their new entry itself,
 * right after the commit: one page of followers, one script call, one publish. Above it, or
 * for a celebrity (FANOUT_CELEBRITY_THRESHOLD set lower: their delivery scans everyone online),
 * the entry's `fanout` job goes to the workers.
 */
export const FANOUT_AT_COMMIT_MAX_FOLLOWERS = 100;

/** Whether an API node delivers an entry of an author with this many followers itself. */
const deliveredAtCommit = (followers: number) =>
  followers <= FANOUT_AT_COMMIT_MAX_FOLLOWERS && !isCelebrity(followers);

/** Calls `each` with pages of a user's follower ids (keyset paging over follows.id). */
export async function forEachFollowerPage(
  userId: string,
  each: (ids: string[]) => Promise<void>,
): Promise<number> {
  let after = '0';
  let total = 0;
  for (;;) {
    const rows = await followerPage(userId, after, FOLLOWER_PAGE, FOR_CACHE_FILL);
    if (rows.length === 0) return total;
    total += rows.length;
    await each(rows.map((row) => row.followerId));
    if (rows.length < FOLLOWER_PAGE) return total;
    after = rows[rows.length - 1].id;
  }
}

/**
 * Of `followers`, those who may get an entry by `authors` (its author, and its original's for
 * a retweet): not those who block them, are blocked by them or mute them. Asked per page at
 * the moment of delivery, so a block or mute that committed while the job waited counts.
 */
async function allowedFollowers(authors: string[], followers: string[]): Promise<string[]> {
  const hiding = await usersHidingAny(authors, followers, FOR_CACHE_FILL);
  return hiding.size === 0 ? followers : followers.filter((id) => !hiding.has(id));
}

/** Calls `each` with the online users (presence) who follow `userId`, a chunk at a time. */
async function forEachOnlineFollower(
  userId: string,
  each: (ids: string[]) => Promise<void>,
): Promise<void> {
  const online = await onlineUsers();
  for (let i = 0; i < online.length; i += FOLLOWER_PAGE) {
    const followers = await followersAmong(
      userId,
      online.slice(i, i + FOLLOWER_PAGE),
      FOR_CACHE_FILL,
    );
    if (followers.length > 0) await each(followers);
  }
}

/** What `deliverEntry` did: how many followers' timelines got the entry. */
export type Delivery = { delivered: number };

/**
 * Pushes a new entry into the home timeline of every follower of its author, a page of
 * followers per SQL query and a few hundred timelines per pipelined script call. Adding is
 * idempotent (a sorted-set member), so a retry after a crash half-way leaves each timeline
 * with the entry once. Celebrities are skipped: their tweets are merged in at read time.
 * With `onlySmall`, an entry an API node does not deliver itself (deliveredAtCommit) is left
 * alone and null answered. `known`: its author as its request read them after the commit.
 */
export async function deliverEntry(
  entryId: string,
  onlySmall = false,
  known?: AtCommitFacts['fanout'],
): Promise<Delivery | null> {
  const entry = known ?? (await entryAuthor(entryId, FOR_CACHE_FILL));
  if (!entry) return { delivered: 0 }; // deleted before we got to it
  if (onlySmall && !deliveredAtCommit(entry.followers)) return null;
  const authorId = entry.authorId;
  const authors = entry.originalAuthorId ? [authorId, entry.originalAuthorId] : [authorId];
  const cap = String(timelineCap());
  await store.addToTimelines(2, keys.home(authorId), keys.author(authorId), entryId, cap);
  const [text] = await hydrateTweets(null, [entryId], FOR_CACHE_FILL);
  if (!text) return { delivered: 0 };
  const tweet = JSON.parse(text) as z.infer<typeof TimelineItem>;
  await emitToUsers([authorId], 'tweet:new', { tweet });
  if (isCelebrity(entry.followers)) {
    // No timelines to write: only followers online now need to hear of it.
    await forEachOnlineFollower(authorId, async (followers) =>
      emitToUsers(await allowedFollowers(authors, followers), 'tweet:new', { tweet }),
    );
    return { delivered: 0 };
  }
  // The count is read with the entry, after its commit: a follow made since then merges the
  // author's recent entries (this one too) into that follower's timeline itself.
  if (entry.followers === 0) return { delivered: 0 };
  const delivered = await forEachFollowerPage(authorId, async (page) => {
    const followers = await allowedFollowers(authors, page);
    if (followers.length === 0) return;
    const pipeline = scriptPipeline();
    for (let i = 0; i < followers.length; i += TIMELINES_PER_CALL) {
      const batch = followers.slice(i, i + TIMELINES_PER_CALL).map(keys.home);
      pipeline.addToTimelines(batch.length, ...batch, entryId, cap);
    }
    await pipeline.exec();
    await emitToUsers(followers, 'tweet:new', { tweet });
  });
  return { delivered };
}

/**
 * An API node's at-commit work for a `fanout` job (runJobsAtCommit): the entry delivered here
 * when its author has at most FANOUT_AT_COMMIT_MAX_FOLLOWERS followers (and is no celebrity),
 * else handed to the workers. A small delivery done here costs less than the job would
 * (Bull's add, its scripts in the worker, the worker's reads) and reaches followers sooner.
 */
export async function deliverSmallEntry(
  { entryId }: JobPayloads['fanout'],
  known?: AtCommitFacts['fanout'],
): Promise<Delivery | typeof FOR_WORKERS> {
  return (await deliverEntry(entryId, true, known)) ?? FOR_WORKERS;
}
