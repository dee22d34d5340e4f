import { QueryTypes } from 'sequelize';
import { execute, sequelize } from '../infra/db';
import { encodeCursor } from '../http/paging';
import type { JobPayloads } from '../queue/jobs';
import { hydrateTweets } from '../tweets/cache';
import type { NotificationJson } from './schemas';

interface NotificationRow {
  id: string;
  type: NotificationJson['type'];
  actorId: string;
  username: string;
  displayName: string;
  tweetId: string | null;
  createdAt: Date;
  readAt: Date | null;
}

const SELECT = `SELECT n.id, n.type, n.actor_id AS actorId, u.username, u.display_name AS displayName,
  n.tweet_id AS tweetId, n.created_at AS createdAt, n.read_at AS readAt
  FROM notifications n JOIN users u ON u.id = n.actor_id`;

/** Who a notification job is for, or null when nobody should hear of it. */
async function recipientOf(
  job: JobPayloads['notifications'],
): Promise<{ userId: string; tweetId: string | null } | null> {
  if (job.kind === 'follow') return { userId: job.userId, tweetId: null };
  const [row] = await sequelize.query<{ authorId: string }>(
    job.kind === 'reply'
      ? 'SELECT p.author_id AS authorId FROM tweets r JOIN tweets p ON p.id = r.reply_to_id WHERE r.id = :id'
      : 'SELECT author_id AS authorId FROM tweets WHERE id = :id',
    { replacements: { id: job.tweetId }, type: QueryTypes.SELECT },
  );
  return row ? { userId: String(row.authorId), tweetId: job.tweetId } : null;
}

/**
 * Persists the notification a job describes. Never for acting on your own things; at most
 * once per (recipient, type, actor, tweet), so retries and like-unlike-like do not repeat it.
 * Answers the new notification's id and recipient, or null when nothing was created.
 */
export async function createNotification(
  job: JobPayloads['notifications'],
): Promise<{ id: string; userId: string } | null> {
  const target = await recipientOf(job);
  if (!target || target.userId === job.actorId) return null;
  const dedupeKey = `${target.userId}:${job.kind}:${job.actorId}:${target.tweetId ?? ''}`;
  const result = await execute(
    `INSERT IGNORE INTO notifications (user_id, type, actor_id, tweet_id, dedupe_key, created_at)
     VALUES (:userId, :type, :actorId, :tweetId, :dedupeKey, UTC_TIMESTAMP(3))`,
    {
      replacements: {
        userId: target.userId,
        type: job.kind,
        actorId: job.actorId,
        tweetId: target.tweetId,
        dedupeKey,
      },
    },
  );
  return result.affectedRows === 1 ? { id: result.insertId, userId: target.userId } : null;
}

/** Notifications as the API shows them, with their tweets hydrated for the recipient. */
async function present(viewerId: string, rows: NotificationRow[]): Promise<NotificationJson[]> {
  const tweetIds = rows
    .map((row) => row.tweetId)
    .filter((id): id is string => id !== null)
    .map(String);
  const texts = await hydrateTweets(viewerId, tweetIds);
  const tweets = new Map(tweetIds.map((id, i) => [id, texts[i]]));
  return rows.map((row) => {
    const tweet = row.tweetId === null ? null : tweets.get(String(row.tweetId));
    return {
      id: String(row.id),
      type: row.type,
      actor: { id: String(row.actorId), username: row.username, displayName: row.displayName },
      ...(tweet ? { tweet: JSON.parse(tweet) as NotificationJson['tweet'] } : {}),
      createdAt: new Date(row.createdAt).toISOString(),
      read: row.readAt !== null,
    };
  });
}

/** One notification, for the realtime push. */
export async function notificationJson(
  viewerId: string,
  id: string,
): Promise<NotificationJson | null> {
  const rows = await sequelize.query<NotificationRow>(
    `${SELECT} WHERE n.id = :id AND n.user_id = :viewerId`,
    {
      replacements: { id, viewerId },
      type: QueryTypes.SELECT,
    },
  );
  return rows.length ? (await present(viewerId, rows))[0] : null;
}

/** A page of the viewer's notifications, newest first. */
export async function listNotifications(
  viewerId: string,
  below: string | undefined,
  limit: number,
) {
  const rows = await sequelize.query<NotificationRow>(
    `${SELECT} WHERE n.user_id = :viewerId ${below ? 'AND n.id < :below' : ''} ORDER BY n.id DESC LIMIT :limit`,
    { replacements: { viewerId, below, limit: limit + 1 }, type: QueryTypes.SELECT },
  );
  const page = rows.slice(0, limit);
  return {
    data: await present(viewerId, page),
    nextCursor: rows.length > limit ? encodeCursor(String(page[page.length - 1].id)) : null,
  };
}

/** Marks the viewer's notifications read: the given ones, or all. */
export async function markRead(viewerId: string, ids?: string[]): Promise<void> {
  await sequelize.query(
    `UPDATE notifications SET read_at = UTC_TIMESTAMP(3)
     WHERE user_id = :viewerId AND read_at IS NULL ${ids ? 'AND id IN (:ids)' : ''}`,
    { replacements: { viewerId, ids } },
  );
}
