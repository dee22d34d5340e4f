import { type Transaction } from 'sequelize';
import { select, execute, type ReadFrom } from '../infra/db';
import { enqueueAfterCommit } from '../queue/queues';
import { blockedEitherWaySql } from './blocks';
import { mutingSql } from './mutes';
import { activeUserSql } from './users';
import { tweetRowColumns, tweetRowFrom, type TweetRow } from './tweets';

/**
 * The `notifications` table: every SQL statement that reads or writes it lives here. Raw
 * SQL, no model: INSERT IGNORE on the dedupe key makes a repeat a no-op in one statement and
 * says whether it inserted, the reads join the actor's name in the same query, and mark-read
 * is one set-based UPDATE. (The `Notification` model was never queried and is gone.)
 */

/**
 * Every kind of notification, in the order of the `notifications.type` ENUM column. The one
 * list the API schema and the rows derive from; adding a kind means adding it
 * here and in a migration that widens the ENUM (test/notifications/types.test.ts checks the
 * live column against this list).
 */
export const NOTIFICATION_TYPES = ['like', 'retweet', 'follow', 'reply', 'mention'] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

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

const SELECT_COLUMNS = `SELECT n.id, n.user_id AS userId, n.type, n.actor_id AS actorId, u.username, u.display_name AS displayName,
  n.tweet_id AS tweetId, n.created_at AS createdAt, n.read_at AS readAt`;
const FROM = `FROM notifications n JOIN users u ON u.id = n.actor_id AND ${activeUserSql('u')}`;
const SELECT = `${SELECT_COLUMNS} ${FROM}`;

/**
 * SQL true when the recipient in column `recipient` must not hear from the actor in `actor`:
 * a block between them (either way) or the recipient's mute of the actor.
 */
const actorHiddenSql = (recipient: string, actor: string): string =>
  `(${blockedEitherWaySql(recipient, actor)} OR ${mutingSql(recipient, actor)})`;

/**
 * Leaves out notifications whose actor the recipient must not hear from now (blocked either
 * way, muted): those written before the block or mute stay in the table, unseen, and come
 * back in the list after an unblock or unmute. The push reads through it too, so a block
 * between the action and its push sends nothing.
 */
const VISIBLE = `AND NOT ${actorHiddenSql('n.user_id', 'n.actor_id')}`;

/** The columns of a new notification. */
export interface NewNotification {
  recipientId: string;
  type: NotificationType;
  actorId: string;
  tweetId: string | null;
}

/** What makes a notification unique: its recipient, type, actor and tweet. */
export const dedupeKey = ({ recipientId, type, actorId, tweetId }: NewNotification): string =>
  `${recipientId}:${type}:${actorId}:${tweetId ?? ''}`;

/**
 * Inserts a notification unless one with the same (recipient, type, actor, tweet) exists, or
 * the recipient must not hear from the actor (a block either way, their mute): in the same
 * statement, so every notification, whichever action writes it, is checked in its
 * transaction. Answers the new row's id, or null when nothing was created.
 */
export async function insertNotificationOnce(
  row: NewNotification,
  transaction?: Transaction,
): Promise<string | null> {
  const { recipientId, type, actorId, tweetId } = row;
  const result = await execute(
    `INSERT IGNORE INTO notifications (user_id, type, actor_id, tweet_id, dedupe_key, created_at)
     SELECT :recipientId, :type, :actorId, :tweetId, :dedupeKey, UTC_TIMESTAMP(3) FROM DUAL
      WHERE NOT ${actorHiddenSql(':recipientId', ':actorId')}`,
    {
      replacements: {
        recipientId,
        type,
        actorId,
        tweetId,
        dedupeKey: dedupeKey(row),
      },
      transaction,
    },
  );
  return result.affectedRows === 1 ? result.insertId : null;
}

/**
 * Writes the notification row: never for acting on your own things, at most once per
 * (recipient, type, actor, tweet), so retries and like-unlike-like do not repeat it.
 * Answers the new row's id, or null when nothing was created.
 */
export async function insertNotification(
  action: NewNotification,
  transaction?: Transaction,
): Promise<string | null> {
  if (action.recipientId === action.actorId) return null;
  return insertNotificationOnce(action, transaction);
}

/** Columns of the tuples `insertNotificationsBulk` takes, in order. */
export const NOTIFICATION_BULK_COLUMNS = [
  'user_id',
  'type',
  'actor_id',
  'tweet_id',
  'dedupe_key',
  'created_at',
] as const;

/**
 * Bulk seeding: one multi-row INSERT of pre-rendered SQL literal tuples (in
 * NOTIFICATION_BULK_COLUMNS order, `dedupe_key` from dedupeKey), with no
 * push job: nobody is connected to a world being seeded.
 */
export async function insertNotificationsBulk(
  tuples: string[],
): Promise<{ affectedRows: number; insertId: string }> {
  return execute(
    `INSERT INTO notifications (${NOTIFICATION_BULK_COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`,
  );
}

/**
 * Records the notification of an action in the action's own transaction, with its push job's
 * outbox row: the three commit together, so no notification depends on Redis or a job
 * surviving. The push job carries the notification's id.
 */
export async function notifyInTransaction(
  transaction: Transaction,
  action: NewNotification,
): Promise<void> {
  const id = await insertNotification(action, transaction);
  if (id === null) return;
  await enqueueAfterCommit(
    transaction,
    'notifications',
    { kind: 'push', notificationId: id },
    { jobId: `notify:push:${id}` },
  );
}

/**
 * One notification with its actor and its tweet (null: none, deleted, or its author
 * inactive), in one statement: the realtime push's read, which took a second query for the
 * tweet. Null when the notification is gone or hidden.
 */
export async function notificationWithTweet(
  id: string,
  read: ReadFrom = {},
): Promise<{ notification: NotificationRow; tweet: TweetRow | null } | null> {
  const [row] = await select<NotificationRow & Record<string, unknown>>(
    `${SELECT_COLUMNS}, ${tweetRowColumns('t', 'a', 'tweet_')} ${FROM}
       LEFT JOIN tweets t ON t.id = n.tweet_id
       LEFT JOIN users a ON a.id = t.author_id AND ${activeUserSql('a')}
     WHERE n.id = :id ${VISIBLE}`,
    { replacements: { id }, ...read },
  );
  if (!row) return null;
  const notification = Object.fromEntries(
    Object.entries(row).filter(([column]) => !column.startsWith('tweet_')),
  ) as unknown as NotificationRow;
  return { notification, tweet: tweetRowFrom(row, 'tweet_') };
}

/**
 * Up to `limit` of a user's notifications (of one type, when given), newest first, below the
 * id `below`: a range read on (user_id, id), or on (user_id, type, id) for one type.
 */
export async function notificationRowsOf(
  userId: string,
  below: string | undefined,
  limit: number,
  type?: NotificationType,
): Promise<NotificationRow[]> {
  return select<NotificationRow>(
    `${SELECT} WHERE n.user_id = :userId ${VISIBLE} ${type ? 'AND n.type = :type' : ''}
       ${below ? 'AND n.id < :below' : ''} ORDER BY n.id DESC LIMIT :limit`,
    { replacements: { userId, below, limit, type } },
  );
}

/** Marks a user's unread notifications read: the given ones, or all. */
export async function markNotificationsRead(userId: string, ids?: string[]): Promise<void> {
  await execute(
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
  await execute('DELETE FROM notifications WHERE tweet_id IN (:ids)', {
    replacements: { ids: tweetIds },
    transaction,
  });
}

/**
 * Account deletion: removes up to `limit` notifications to the user and up to `limit` from
 * them (by `notifications_user_id_id` and `notifications_actor_id`); answers how many went.
 */
export async function deleteNotificationsOfUser(
  userId: string,
  limit: number,
  transaction: Transaction,
): Promise<number> {
  let removed = 0;
  for (const column of ['user_id', 'actor_id']) {
    const result = await execute(
      `DELETE FROM notifications WHERE ${column} = :userId ORDER BY id LIMIT :limit`,
      { replacements: { userId, limit }, transaction },
    );
    removed += result.affectedRows;
  }
  return removed;
}
