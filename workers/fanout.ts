import type { Job } from 'bull';
import type { JobPayloads } from '../app/queue/jobs';
import { isCelebrity, timelineCap } from '../app/timeline/build';
import { keys } from '../app/cache/keys';
import { removeFromTimelines } from '../app/timeline/maintain';
import { TIMELINES_PER_CALL, scriptPipeline, store } from '../app/cache/store';
import type { ScriptPipeline } from '../app/cache/scripts';
import type { z } from '../app/http/zod';
import { emitToUsers } from '../app/realtime/emitter';
import { onlineUsers } from '../app/realtime/presence';
import { hydrateTweets } from '../app/tweets/cache';
import { entryAuthor, entryIdsByAuthors } from '../app/records/tweets';
import type { TimelineItem } from '../app/tweets/schemas';
import { followerPage, followersAmong } from '../app/records/follows';
import { usersHidingAny } from '../app/safety/hidden';
import { findUser } from '../app/records/users';

/** Followers read per SQL page (timelines written per script call: TIMELINES_PER_CALL). */
const FOLLOWER_PAGE = 2000;

/** Calls `each` with pages of a user's follower ids (keyset paging over follows.id). */
export async function forEachFollowerPage(
  userId: string,
  each: (ids: string[]) => Promise<void>,
): Promise<number> {
  let after = '0';
  let total = 0;
  for (;;) {
    const rows = await followerPage(userId, after, FOLLOWER_PAGE);
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
  const hiding = await usersHidingAny(authors, followers);
  return hiding.size === 0 ? followers : followers.filter((id) => !hiding.has(id));
}

/** Calls `each` with the online users (presence) who follow `userId`, a chunk at a time. */
async function forEachOnlineFollower(
  userId: string,
  each: (ids: string[]) => Promise<void>,
): Promise<void> {
  const online = await onlineUsers();
  for (let i = 0; i < online.length; i += FOLLOWER_PAGE) {
    const followers = await followersAmong(userId, online.slice(i, i + FOLLOWER_PAGE));
    if (followers.length > 0) await each(followers);
  }
}

/**
 * Pushes a new entry into the home timeline of every follower of its author, a page of
 * followers per SQL query and a few hundred timelines per pipelined script call. Adding is
 * idempotent (a sorted-set member), so a retry after a crash half-way leaves each timeline
 * with the entry once. Celebrities are skipped: their tweets are merged in at read time.
 */
export async function processFanout(
  job: Job<JobPayloads['fanout']>,
): Promise<{ delivered: number }> {
  const entry = await entryAuthor(job.data.entryId);
  if (!entry) return { delivered: 0 }; // deleted before we got to it
  const authorId = entry.authorId;
  const authors = entry.originalAuthorId ? [authorId, entry.originalAuthorId] : [authorId];
  const cap = String(timelineCap());
  await store.addToTimelines(2, keys.home(authorId), keys.author(authorId), job.data.entryId, cap);
  const [text] = await hydrateTweets(null, [job.data.entryId]);
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
      pipeline.addToTimelines(batch.length, ...batch, job.data.entryId, cap);
    }
    await pipeline.exec();
    await emitToUsers(followers, 'tweet:new', { tweet });
  });
  return { delivered };
}

/** Deleted entries leave their author's followers' timelines. */
async function removeEntries(entries: { id: string; authorId: string }[]): Promise<void> {
  const byAuthor = new Map<string, string[]>();
  for (const { id, authorId } of entries)
    byAuthor.set(authorId, [...(byAuthor.get(authorId) ?? []), id]);
  for (const [authorId, ids] of byAuthor) {
    await removeFromTimelines([keys.home(authorId), keys.author(authorId)], ids);
    for (const id of ids) await emitToUsers([authorId], 'tweet:deleted', { id });
    await forEachFollowerPage(authorId, async (followers) => {
      await removeFromTimelines(followers.map(keys.home), ids);
      for (const id of ids) await emitToUsers(followers, 'tweet:deleted', { id });
    });
  }
}

/**
 * An author crossed the celebrity threshold. Up: followers' timelines merge them at read
 * time from now on. Down: their recent tweets are written into followers' timelines again.
 */
async function celebrityChanged(userId: string, celebrity: boolean): Promise<void> {
  const recent = celebrity ? [] : await entryIdsByAuthors([userId], timelineCap());
  const cap = String(timelineCap());
  await pipelinePerFollower(userId, (pipeline, follower) => {
    pipeline.updateExistingSet(keys.celebrities(follower), celebrity ? 'add' : 'rem', userId);
    if (recent.length > 0) pipeline.mergeIntoTimeline(keys.home(follower), cap, ...recent);
  });
}

/** Queues `each` follower's Redis work of `userId`, one pipeline per page of followers. */
async function pipelinePerFollower(
  userId: string,
  each: (pipeline: ScriptPipeline, follower: string) => void,
): Promise<void> {
  await forEachFollowerPage(userId, async (followers) => {
    const pipeline = scriptPipeline();
    for (const follower of followers) each(pipeline, follower);
    await pipeline.exec();
  });
}

/** How many of an unsuspended author's recent entries go back in (as a follow merges 200). */
const RESTORE_MERGE = 200;

/**
 * An author was unsuspended: reads dropped their entries from home timelines while they were
 * hidden, so their recent entries are merged back into their own timelines and, unless they
 * are a celebrity (merged at read time), each follower's. Only into timelines that exist; a
 * missing one is rebuilt whole. Nothing happens if they were suspended again meanwhile.
 */
async function restoreAuthor(userId: string): Promise<void> {
  const author = await findUser(userId);
  if (!author || author.suspendedAt || author.deletedAt) return;
  const recent = await entryIdsByAuthors([userId], RESTORE_MERGE);
  if (recent.length === 0) return;
  const cap = String(timelineCap());
  await scriptPipeline()
    .mergeIntoTimeline(keys.home(userId), cap, ...recent)
    .mergeIntoTimeline(keys.author(userId), cap, ...recent)
    .exec();
  if (isCelebrity(author.followersCount)) return;
  await pipelinePerFollower(userId, (pipeline, follower) => {
    pipeline.mergeIntoTimeline(keys.home(follower), cap, ...recent);
  });
}

/** Timeline upkeep jobs of the `timeline` queue: deletes, celebrity changes, restores. */
export type TimelineUpkeepJob = Exclude<JobPayloads['timeline'], { kind: 'repair' }>;

/** Keeps followers' timelines true after deletes, celebrity changes and unsuspensions. */
export async function processTimelineUpkeep(data: TimelineUpkeepJob): Promise<void> {
  if (data.kind === 'remove') await removeEntries(data.entries);
  else if (data.kind === 'restore') await restoreAuthor(data.userId);
  else await celebrityChanged(data.userId, data.celebrity);
}
