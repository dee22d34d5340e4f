import type { Transaction } from 'sequelize';
import { insertTweetHashtags } from '../records/hashtags';
import { notifyInTransaction } from '../records/notifications';
import { insertTweetMentions } from '../records/tweetMentions';
import { accountsByUsernameKeys } from '../records/users';
import { blockedEitherWayAmong } from '../records/blocks';
import { entityKeys } from '../text/entities';

/** How many of the accounts a tweet mentions are notified of it at most (the first ones). */
export const MAX_MENTION_NOTIFICATIONS = 10;

/**
 * Who is notified of a tweet's mentions, from the accounts it mentions (distinct, in order):
 * never its author, the first MAX_MENTION_NOTIFICATIONS of the others. The bulk seeder
 * applies the same rule to its rows.
 */
export const mentionRecipients = <T>(mentioned: readonly T[], authorId: T): T[] =>
  mentioned.filter((id) => id !== authorId).slice(0, MAX_MENTION_NOTIFICATIONS);

/**
 * Stores a new tweet's entities in its post's transaction: the accounts its `@name`s are
 * when it is posted (every one, the author too, so its JSON shows them; a name nobody holds
 * stays text for good, whoever registers it later), its distinct hashtags, and a mention
 * notification for each mentioned account (once, never the author, the first
 * MAX_MENTION_NOTIFICATIONS of them). One users query serves both the rows and the
 * notifications. Answers the distinct tags, which trending counts after the commit.
 */
export async function recordEntities(
  transaction: Transaction,
  authorId: string,
  tweetId: string,
  content: string,
): Promise<string[]> {
  const { names, tags } = entityKeys(content);
  await insertTweetHashtags(tweetId, tags, transaction);
  if (names.length === 0) return tags;
  const accounts = await accountsByUsernameKeys(names, { transaction });
  const named = names
    .map((key) => accounts.get(key)?.id)
    .filter((id): id is string => id !== undefined);
  // Across a block (either way) a name is not a mention: it stays text and notifies nobody.
  const blocked = new Set(await blockedEitherWayAmong([authorId], named));
  const mentioned = named.filter((id) => !blocked.has(id));
  await insertTweetMentions(tweetId, mentioned, transaction);
  for (const recipientId of mentionRecipients(mentioned, authorId)) {
    await notifyInTransaction(transaction, {
      type: 'mention',
      actorId: authorId,
      recipientId,
      tweetId,
    });
  }
  return tags;
}
