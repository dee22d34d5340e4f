import type { Transaction } from 'sequelize';
import { forbidden, notFound, rankingUnavailable } from '../http/errors';
import { toPage, toSnapshotPage, type SnapshotPosition } from '../http/paging';
import { inTransaction, type ReadFrom } from '../infra/db';
import { notifyInTransaction } from '../records/notifications';
import { enqueueAfterCommit } from '../queue/queues';
import type { AtCommitFacts } from '../queue/jobs';
import { addOwnEntry, removeOwnEntries } from '../timeline/maintain';
import { cacheUpkeep } from '../cache/upkeep';
import { moveTagUses, recordTagUses, trendingSince } from '../cache/trending';
import { lastTagUses, tagsOfTweet } from '../records/hashtags';
import { assemble, refreshCachedCounts, hydrateTweets, updateViewerSet } from './cache';
import { VIEWER_FLAGS } from '../cache/keys';
import { authorEntryIds, renderedAuthorPage } from './authorTweets';
import type { ScriptBudget } from '../http/route';
import {
  firstPopularPage,
  forgetPopular,
  popularCursor,
  popularSnapshotPage,
  recordEngagement,
} from './popular';
import { pageBytes, pageJson } from './presenter';
import { renderedEntries, visibleEntries, withoutBlocked } from './visibility';
import { bumpUserCounter, findUserRole, userExists } from '../records/users';
import { insertAuditEntry } from '../records/auditLog';
import { recordEntities } from './postEntities';
import { bumpCounter, reachableOrRefused } from './counters';
import { deleteDependants } from './dependants';
import { keepDeletedReplyLink } from '../records/deletedTweetLinks';
import {
  deleteTweetRow,
  insertTweet,
  lockRetweetsOf,
  lockTweet,
  lockTweetWithStanding,
  postedTweetRow,
  replyToIdOf,
  type TweetCounts,
} from '../records/tweets';

/** A tweet (or retweet entry) as JSON text for a viewer; 404 when it does not exist. */
export async function tweetJson(
  viewerId: string | null,
  id: string,
  read: ReadFrom = {},
): Promise<string> {
  const [text] = await hydrateTweets(viewerId, [id], read);
  // A tweet by, or retweeting, a user blocked either way with the viewer is absent to them.
  const [shown] = viewerId && text ? (await withoutBlocked(viewerId, [text])).texts : [text];
  if (!shown) throw notFound('tweet');
  return shown;
}

/**
 * The JSON texts of entries for a viewer, in order, without those deleted meanwhile and those
 * by or retweeting users blocked either way with the viewer (visibility.ts).
 */
export async function entryTexts(viewerId: string, ids: string[]): Promise<string[]> {
  return (await visibleEntries(viewerId, ids)).texts;
}

/**
 * A page of entries as JSON for a viewer (entryTexts' entries, then `nextCursor`): rendered
 * by Redis when every piece is cached (renderedEntries), else assembled here.
 */
export async function entriesPage(
  viewerId: string,
  ids: string[],
  nextCursor: string | null,
): Promise<string | Buffer> {
  const rendered = ids.length > 0 ? await renderedEntries(viewerId, ids) : null;
  if (rendered instanceof Buffer) return pageBytes(rendered, nextCursor);
  return pageJson(await entryTexts(viewerId, ids), nextCursor);
}

/**
 * A page of an author's tweets and retweets, newest first, as JSON (text, or bytes when Redis
 * rendered it); 404 for no user. Warm, one Redis round trip (renderedAuthorPage); anything
 * more waits for `beforeCostlyWork`, which refuses a caller over their rate limit.
 */
export async function authorTweetsPage(
  viewerId: string,
  authorId: string,
  below: string | undefined,
  limit: number,
  beforeCostlyWork: () => Promise<void> = () => Promise.resolve(),
  budget: ScriptBudget | null = null,
): Promise<string | Buffer> {
  const rendered = await renderedAuthorPage(viewerId, authorId, below, limit, budget);
  if (rendered) return rendered;
  await beforeCostlyWork();
  const ids = await authorEntryIds(authorId, below, limit + 1);
  if (!ids) throw notFound('user');
  const { data, nextCursor } = toPage(ids, limit, (id) => id);
  const { texts, ownerBlocked } = await visibleEntries(viewerId, data, [authorId]);
  // A block either way makes the author absent to the viewer, as a user who does not exist.
  if (ownerBlocked) throw notFound('user');
  // The author's cached set answers without MySQL, also for a suspended author, whose every
  // entry then vanishes: an empty page asks MySQL whether the author is there at all.
  if (texts.length === 0 && !(await userExists(authorId))) throw notFound('user');
  return pageJson(texts, nextCursor);
}

/**
 * A page of the most engaged recent tweets as JSON text. Its cursor names a snapshot and an
 * offset in it (not an id: the ranking is by score), so pages of one snapshot never skip
 * or repeat.
 */
export async function popularPage(
  viewerId: string,
  cursor: SnapshotPosition | undefined,
  limit: number,
): Promise<string | Buffer> {
  let at = cursor;
  let ids: string[] | null;
  if (at) {
    ids = await popularSnapshotPage(at.snapshot, at.offset, limit + 1);
  } else {
    const first = await firstPopularPage(limit + 1);
    if (!first) throw rankingUnavailable('Popular tweets');
    at = { snapshot: first.stamp, offset: 0 };
    ids = first.ids;
  }
  const { data, nextCursor } = toSnapshotPage(ids, at, limit, popularCursor.encode);
  return entriesPage(viewerId, data, nextCursor);
}

/** Posts a tweet or a reply; followers get it through the fan-out job. */
export async function createTweet(
  authorId: string,
  content: string,
  replyToId?: string,
): Promise<string> {
  let parent: TweetCounts | null = null;
  let tags: string[] = [];
  let answer: Promise<string> | undefined;
  let posted: AtCommitFacts['fanout'] | undefined;
  const { tweetId: id, fanout } = await inTransaction(async (transaction) => {
    if (replyToId) {
      const locked = await lockTweetWithStanding(replyToId, authorId, transaction);
      // A reply answers a tweet, not a retweet entry, of an author who is there for others.
      if (locked?.tweet.retweetOfId) throw notFound('tweet to reply to');
      const target = reachableOrRefused(locked, 'tweet to reply to');
      parent = await bumpCounter(target, 'replies_count', 1, transaction);
    }
    const tweetId = await insertTweet(
      { authorId, content, replyToId: replyToId ?? null },
      transaction,
    );
    // Registered before the fan-out job's hook, so it runs first: the record is read back and
    // cached before the job leaves, and the worker finds it there (handed over first, the job
    // often ran before the record was cached, and read it from MySQL and cached it again).
    // Its failure is the request's, after the job was handed over all the same.
    // The same read gives the delivery its author's follower count (`posted`), read after the
    // commit as entryAuthor would: it reads nothing more.
    transaction.afterCommit(() => {
      answer = postedTweetJson(authorId, tweetId, (facts) => (posted = facts));
      return answer.then(
        () => undefined,
        () => undefined,
      );
    });
    await bumpUserCounter([authorId], 'tweets_count', 1, transaction);
    const fanout = await enqueueAfterCommit(
      transaction,
      'fanout',
      { entryId: tweetId },
      { jobId: `fanout:${tweetId}` },
      () => posted,
    );
    if (parent) {
      await notifyInTransaction(transaction, {
        type: 'reply',
        actorId: authorId,
        recipientId: parent.authorId,
        tweetId,
      });
    }
    tags = await recordEntities(transaction, authorId, tweetId, content);
    return { tweetId, fanout };
  });
  const replied = parent as TweetCounts | null;
  await cacheUpkeep(
    async () => {
      // Delivered at the commit (app/delivery/fanout.ts), it is in its author's timelines.
      if (!fanout.doneHere) await addOwnEntry(authorId, id);
      await recordTagUses(authorId, tags);
      if (replied) {
        await refreshCachedCounts(replied);
        await recordEngagement(replied.id, 'reply');
      }
    },
    { userIds: [authorId], tweetIds: replied ? [replied.id] : [], trending: tags.length > 0 },
  );
  return answer ?? postedTweetJson(authorId, id);
}

/**
 * The answer to a post: the tweet just committed, read from the primary (not in the cache
 * yet, maybe not on a replica either) and written to the cache, where the fan-out reads it.
 * Neither the cache nor the viewer's sets are asked first (two Redis round trips less): the
 * cache cannot hold a tweet that did not exist, nobody has liked, retweeted or bookmarked it
 * yet, and no block hides an author's own tweet from them. The author's follower count comes
 * along (`read`): the delivery's facts.
 */
async function postedTweetJson(
  authorId: string,
  id: string,
  read: (facts: AtCommitFacts['fanout']) => void = () => undefined,
): Promise<string> {
  const posted = await postedTweetRow(id, { useMaster: true });
  if (!posted) throw notFound('tweet');
  read({ authorId, followers: posted.followers, originalAuthorId: null });
  const unset = VIEWER_FLAGS.map(() => [0]);
  const [text] = await assemble(authorId, [id], [[id], [null], unset], { useMaster: true }, [
    posted.row,
  ]);
  if (!text) throw notFound('tweet');
  return text;
}

/**
 * Lets an admin delete someone else's tweet, written to the audit log in the deleting
 * transaction; anyone else gets 403. The role is read from the primary, so a revoked admin
 * is refused at once.
 */
async function deleteAsAdmin(
  viewerId: string,
  tweet: TweetCounts,
  transaction: Transaction,
): Promise<void> {
  if ((await findUserRole(viewerId)) !== 'admin') {
    throw forbidden('Only its author or an admin can delete a tweet.');
  }
  await insertAuditEntry(
    {
      adminId: viewerId,
      action: 'delete_tweet',
      targetUserId: tweet.authorId,
      targetTweetId: tweet.id,
    },
    transaction,
  );
}

/**
 * Deletes a tweet by its author or an admin, with its dependants (TWEET_DEPENDANTS: retweets,
 * likes, notifications); the entries leave every timeline (the author's at once, followers'
 * through the `timeline` job). Deleting a retweet entry undoes that retweet.
 */
export async function deleteTweet(viewerId: string, id: string): Promise<void> {
  let parent: TweetCounts | null = null;
  let undoneRetweetOf: string | null = null;
  let deletedTags: string[] = [];
  let authorId = viewerId;
  const removed = await inTransaction(async (transaction) => {
    const tweet = await lockTweet(id, transaction);
    if (!tweet) throw notFound('tweet');
    authorId = tweet.authorId;
    if (authorId !== viewerId) await deleteAsAdmin(viewerId, tweet, transaction);
    const entries = [{ id: tweet.id, authorId: tweet.authorId }];
    undoneRetweetOf = tweet.retweetOfId;
    if (tweet.retweetOfId) {
      parent = await bumpCounter(tweet.retweetOfId, 'retweets_count', -1, transaction);
    } else {
      const retweets = await lockRetweetsOf(id, transaction);
      entries.push(...retweets);
      await bumpUserCounter(
        retweets.map((r) => r.authorId),
        'tweets_count',
        -1,
        transaction,
      );
    }
    // Read before its rows go with the dependants: trending moves the author's use of them.
    deletedTags = tweet.retweetOfId ? [] : await tagsOfTweet(id, transaction);
    await deleteDependants(
      entries.map((e) => e.id),
      transaction,
    );
    const replyToId = tweet.retweetOfId ? null : await replyToIdOf(id, transaction);
    if (replyToId) {
      // Its replies keep pointing at it: keep its own link up, so threads step over it.
      await keepDeletedReplyLink(id, replyToId, transaction);
      parent = (await lockTweet(replyToId, transaction))
        ? await bumpCounter(replyToId, 'replies_count', -1, transaction)
        : null;
    }
    await deleteTweetRow(id, transaction);
    await bumpUserCounter([authorId], 'tweets_count', -1, transaction);
    await enqueueAfterCommit(
      transaction,
      'timeline',
      { kind: 'remove', entries },
      { jobId: `remove:${id}` },
    );
    return entries;
  });
  const touched = parent as TweetCounts | null;
  await cacheUpkeep(
    async () => {
      await removeOwnEntries(removed);
      await forgetPopular(removed.map((entry) => entry.id));
      if (touched) await refreshCachedCounts(touched);
      // Like unretweet: the author's cached `retweeted` set must forget the original too.
      if (undoneRetweetOf) await updateViewerSet('retweeted', authorId, undoneRetweetOf, false);
      // Each tag counts the author at their latest remaining use of it, or no more.
      if (deletedTags.length > 0) {
        await moveTagUses(authorId, await lastTagUses(authorId, deletedTags, trendingSince()));
      }
    },
    {
      userIds: [...new Set(removed.map((entry) => entry.authorId))],
      tweetIds: [...removed.map((entry) => entry.id), ...(touched ? [touched.id] : [])],
      trending: deletedTags.length > 0,
    },
  );
}
