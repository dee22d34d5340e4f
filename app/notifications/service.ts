import { toPage } from '../http/paging';
import { FOR_CACHE_FILL } from '../infra/db';
import type { LegacyNotificationJob } from '../queue/jobs';
import { hydrateTweets, hydrateTweetsFromPrimary } from '../tweets/cache';
import { pageJson } from '../tweets/presenter';
import { authorIdOf } from '../records/tweets';
import {
  insertNotification,
  markNotificationsRead,
  notificationWithTweet,
  notificationRowsOf,
  type NewNotification,
  type NotificationRow,
  type NotificationType,
} from '../records/notifications';
import type { NotificationJson } from './schemas';

/** Who a job of the old format is for, or null when its tweet is gone. */
async function legacyAction(job: LegacyNotificationJob): Promise<NewNotification | null> {
  if (job.kind === 'follow') {
    return { type: 'follow', actorId: job.actorId, recipientId: job.userId, tweetId: null };
  }
  const recipientId = await authorIdOf(job.tweetId, job.kind === 'reply' ? 'parent' : 'tweet');
  if (!recipientId) return null;
  return { type: job.kind, actorId: job.actorId, recipientId, tweetId: job.tweetId };
}

/**
 * Persists the notification an old-format job describes (queued before notifications were
 * written with their action). Answers the new notification's id and recipient, or null.
 */
export async function createFromLegacyJob(
  job: LegacyNotificationJob,
): Promise<{ id: string; userId: string } | null> {
  const action = await legacyAction(job);
  const id = action && (await insertNotification(action));
  return action && id ? { id, userId: action.recipientId } : null;
}

/**
 * Each notification's JSON text, with its tweet's text hydrated for the recipient (by
 * `hydrate`: through the cache, or from the primary for a push) set in as it is: the tweet is
 * never parsed and serialised again (profiled: that was about a tenth of a page's CPU).
 */
async function presentTexts(
  viewerId: string,
  rows: NotificationRow[],
  hydrate = hydrateTweets,
): Promise<string[]> {
  const tweetIds = rows
    .map((row) => row.tweetId)
    .filter((id): id is string => id !== null)
    .map(String);
  const texts = await hydrate(viewerId, tweetIds);
  const tweets = new Map(tweetIds.map((id, i) => [id, texts[i]]));
  return rows.map((row) => {
    const tweet = row.tweetId === null ? null : tweets.get(String(row.tweetId));
    // The members in the order they always had: id, type, actor, tweet when shown, the rest.
    const head = JSON.stringify({
      id: String(row.id),
      type: row.type,
      actor: { id: String(row.actorId), username: row.username, displayName: row.displayName },
    });
    const tail = JSON.stringify({
      createdAt: new Date(row.createdAt).toISOString(),
      read: row.readAt !== null,
    });
    return `${head.slice(0, -1)}${tweet ? `,"tweet":${tweet}` : ''},${tail.slice(1)}`;
  });
}

/**
 * One notification and its recipient, for the realtime push; null once it is gone (its tweet
 * deleted). Read from the primary: the push follows its action's commit at once, before a
 * replica may have the row.
 */
export async function notificationForPush(
  id: string,
): Promise<{ userId: string; notification: NotificationJson } | null> {
  const found = await notificationWithTweet(id, FOR_CACHE_FILL);
  if (!found) return null;
  const { notification: row, tweet } = found;
  const userId = String(row.userId);
  const [text] = await presentTexts(userId, [row], (viewerId, ids) =>
    hydrateTweetsFromPrimary(viewerId, ids, tweet ? [tweet] : []),
  );
  return { userId, notification: JSON.parse(text) as NotificationJson };
}

/** A page of the viewer's notifications (of one type, when given), newest first, as JSON text. */
export async function listNotifications(
  viewerId: string,
  below: string | undefined,
  limit: number,
  type?: NotificationType,
): Promise<string> {
  const rows = await notificationRowsOf(viewerId, below, limit + 1, type);
  const { data, nextCursor } = toPage(rows, limit, (row) => String(row.id));
  return pageJson(await presentTexts(viewerId, data), nextCursor);
}

/** Marks the viewer's notifications read: the given ones, or all. */
export async function markRead(viewerId: string, ids?: string[]): Promise<void> {
  await markNotificationsRead(viewerId, ids);
}
