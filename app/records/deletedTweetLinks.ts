import type { Transaction } from 'sequelize';
import { execute } from '../infra/db';

/**
 * The `deleted_tweet_links` table: for each deleted reply, the tweet it answered. A deleted
 * tweet's row leaves `tweets`, but its replies keep pointing at it; this one link per deleted
 * reply lets a conversation's walk upward (`ancestorIds` in records/tweets.ts) step over it.
 * Raw SQL: `INSERT IGNORE` (a link is written once) and there is no model for this table.
 */

/** Keeps the link of a reply being deleted to the tweet it answered, in the deleting transaction. */
export async function keepDeletedReplyLink(
  tweetId: string,
  replyToId: string,
  transaction: Transaction,
): Promise<void> {
  await execute(
    'INSERT IGNORE INTO deleted_tweet_links (tweet_id, reply_to_id) VALUES (:tweetId, :replyToId)',
    { replacements: { tweetId, replyToId }, transaction },
  );
}
