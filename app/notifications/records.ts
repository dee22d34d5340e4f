import { QueryTypes, type Transaction } from 'sequelize';
import { execute, sequelize } from '../infra/db';
import type { NotificationType } from './types';

/**
 * The `notifications` table: every SQL statement that reads or writes it lives here. Raw
 * SQL, no model: INSERT IGNORE on the dedupe key makes a repeat a no-op in one statement and
 * says whether it inserted, the reads join the actor's name in the same query, and mark-read
 * is one set-based UPDATE. (The `Notification` model was never queried and is gone; the type
 * list lives in `types.ts`.)
 */

/** A notification with its actor's name, as the presenter needs it. */
export interface NotificationRow {
  id: string;
  /** The recipient. */
  userId: string;
  type: NotificationType;
  actorId: string;
  username: string;
  displayName: string;
  tweetId: string | null;
  createdAt: Date;
  readAt: Date | null;
}

const SELECT = `SELECT n.id, n.user_id AS userId, n.type, n.actor_id AS actorId, u.username, u.display_name AS displayName,
  n.tweet_id AS tweetId, n.created_at AS createdAt, n.read_at AS readAt
  FROM notifications n JOIN users u ON u.id = n.actor_id`;

/** The columns of a new notification. */
export interface NewNotification {
  recipientId: string;
  type: NotificationType;
  actorId: string;
  tweetId: string | null;
}

/**
 * Inserts a notification unless one with the same (recipient, type, actor, tweet) exists;
 * answers the new row's id, or null when nothing was created.
 */
export async function insertNotificationOnce(
  row: NewNotification,
  transaction?: Transaction,
): Promise<string | null> {
  const { recipientId, type, actorId, tweetId } = row;
  const result = await execute(
    `INSERT IGNORE INTO notifications (user_id, type, actor_id, tweet_id, dedupe_key, created_at)
     VALUES (:recipientId, :type, :actorId, :tweetId, :dedupeKey, UTC_TIMESTAMP(3))`,
    {
      replacements: {
        recipientId,
        type,
        actorId,
        tweetId,
        dedupeKey: `${recipientId}:${type}:${actorId}:${tweetId ?? ''}`,
      },
      transaction,
    },
  );
  return result.affectedRows === 1 ? result.insertId : null;
}

/** One notification with its actor (null: gone). */
export async function notificationRow(id: string): Promise<NotificationRow | null> {
  const [row] = await sequelize.query<NotificationRow>(`${SELECT} WHERE n.id = :id`, {
    replacements: { id },
    type: QueryTypes.SELECT,
  });
  return row ?? null;
}

/** Up to `limit` of a user's notifications, newest first, below the id `below`. */
export async function notificationRowsOf(
  userId: string,
  below: string | undefined,
  limit: number,
): Promise<NotificationRow[]> {
  return sequelize.query<NotificationRow>(
    `${SELECT} WHERE n.user_id = :userId ${below ? 'AND n.id < :below' : ''} ORDER BY n.id DESC LIMIT :limit`,
    { replacements: { userId, below, limit }, type: QueryTypes.SELECT },
  );
}

/** Marks a user's unread notifications read: the given ones, or all. */
export async function markNotificationsRead(userId: string, ids?: string[]): Promise<void> {
  await sequelize.query(
    `UPDATE notifications SET read_at = UTC_TIMESTAMP(3)
     WHERE user_id = :userId AND read_at IS NULL ${ids ? 'AND id IN (:ids)' : ''}`,
    { replacements: { userId, ids } },
  );
}

/** Deletes the notifications about any of these tweets (a tweet's dependants, on delete). */
export async function deleteNotificationsOfTweets(
  tweetIds: string[],
  transaction: Transaction,
): Promise<void> {
  if (tweetIds.length === 0) return;
  await sequelize.query('DELETE FROM notifications WHERE tweet_id IN (:ids)', {
    replacements: { ids: tweetIds },
    transaction,
  });
}
