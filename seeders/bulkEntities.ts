import { insertHashtagsBulk } from '../app/records/hashtags';
import { dedupeKey, insertNotificationsBulk } from '../app/records/notifications';
import { insertTweetMentionsBulk } from '../app/records/tweetMentions';
import { entityKeys } from '../app/text/entities';
import { mentionRecipients } from '../app/tweets/postEntities';
import { bulkUsername } from './bulkNames';
import { permutation, uniformIndex, zipfPicker } from './graph';
import { RowBuffer, insertedBlock, quote } from './sql';

/**
 * Mentions and hashtags in bulk posts: the text that carries them, and the rows the API
 * would have written for it (tweet_mentions, tweet_hashtags, `mention` notifications),
 * derived from the text with the API's parser so offsets and tags agree.
 */

/** Shares of posts (originals and replies) that mention someone, and that carry tags. */
const MENTION_SHARE = 0.1;
const HASHTAG_SHARE = 0.3;
/** Mentioned accounts are picked as followees are: ∝ 1/rank^1.1 of popularity. */
const MENTION_EXPONENT = 1.1;
/** Tags are picked ∝ 1/rank of the vocabulary: a few topics carry most posts. */
const TAG_EXPONENT = 1.0;
const ROW_BATCH = 5000;

/**
 * The tags posts draw from, most used first; some in capitals or with an accent, which the
 * parser folds (`#TypeScript` is `typescript`).
 */
const VOCABULARY = (
  'coffee TypeScript redis mysql javascript nodejs webdev opensource devops til release ' +
  'bugfix database linux security design music weekend monday remote_work café books ' +
  'science space climate travel photography football gaming ai ml python rustlang golang ' +
  'kubernetes css ux startup 100DaysOfCode chirp'
).split(' ');

/** A post already inserted, with what its entity rows need. */
export interface PostedPost {
  tweetId: number;
  authorId: number;
  content: string;
  /** DATETIME(3) literal of the tweet's created_at. */
  date: string;
}

export interface EntityTotals {
  mentions: number;
  hashtags: number;
  notifications: number;
}

/**
 * Decorates the words of bulk posts with `@name` mentions of the world's users and `#tags`
 * of a skewed vocabulary, and writes the rows the API derives from them in batches.
 */
export class BulkEntities {
  readonly totals: EntityTotals = { mentions: 0, hashtags: 0, notifications: 0 };
  private readonly pickUser: () => number;
  private readonly pickTag: () => number;
  private readonly mentionRows: RowBuffer;
  private readonly hashtagRows: RowBuffer;
  private readonly notificationRows: RowBuffer;

  constructor(
    private readonly random: () => number,
    private readonly prefix: string,
    private readonly userIds: Float64Array,
  ) {
    this.pickUser = zipfPicker(random, permutation(random, userIds.length), MENTION_EXPONENT);
    this.pickTag = zipfPicker(random, permutation(random, VOCABULARY.length), TAG_EXPONENT);
    // Tuples in each data module's *_BULK_COLUMNS order.
    this.mentionRows = new RowBuffer(ROW_BATCH, 1, async (rows) => {
      insertedBlock('tweet_mentions', rows.length, await insertTweetMentionsBulk(rows));
    });
    this.hashtagRows = new RowBuffer(ROW_BATCH, 1, async (rows) => {
      insertedBlock('tweet_hashtags', rows.length, await insertHashtagsBulk(rows));
    });
    this.notificationRows = new RowBuffer(ROW_BATCH, 1, async (rows) => {
      insertedBlock('notifications', rows.length, await insertNotificationsBulk(rows));
    });
  }

  /** The words of a post with, for some posts, one to three `@name`s put among them. */
  withMentions(words: string[]): string[] {
    if (this.random() >= MENTION_SHARE) return words;
    const count = 1 + Math.floor(3 * Math.pow(this.random(), 3));
    for (let i = 0; i < count; i += 1) {
      const at = uniformIndex(this.random, words.length + 1);
      words.splice(at, 0, `@${bulkUsername(this.prefix, this.pickUser())}`);
    }
    return words;
  }

  /** What follows a post's sentence: nothing, or for some posts ` #one` or ` #one #two`. */
  tags(): string {
    if (this.random() >= HASHTAG_SHARE) return '';
    const count = this.random() < 0.7 ? 1 : 2;
    return Array.from({ length: count }, () => ` #${VOCABULARY[this.pickTag()]}`).join('');
  }

  /** Queues the entity rows of an inserted post (none when its text has no entities). */
  async add(post: PostedPost): Promise<void> {
    if (!post.content.includes('@') && !post.content.includes('#')) return;
    const { names, tags } = entityKeys(post.content);
    const mentioned = names
      .map((name) => this.userOf(name))
      .filter((id): id is number => id !== null);
    // As the API: every mentioned account is stored, the first ten others are notified.
    const notified = mentionRecipients(mentioned, post.authorId);
    this.totals.mentions += mentioned.length;
    this.totals.hashtags += tags.length;
    this.totals.notifications += notified.length;
    await this.mentionRows.push(mentioned.map((id) => `(${post.tweetId},${id})`));
    await this.hashtagRows.push(
      tags.map((tag) => `(${quote(tag)},${post.tweetId},${post.authorId},${post.date})`),
    );
    await this.notificationRows.push(
      notified.map((id) => {
        const [actorId, tweetId] = [String(post.authorId), String(post.tweetId)];
        const key = dedupeKey({ recipientId: String(id), type: 'mention', actorId, tweetId });
        return `(${id},'mention',${actorId},${tweetId},'${key}',${post.date})`;
      }),
    );
  }

  /** Writes what is waiting. */
  async finish(): Promise<void> {
    await Promise.all([
      this.mentionRows.finish(),
      this.hashtagRows.finish(),
      this.notificationRows.finish(),
    ]);
  }

  /** The id of the world's user a mentioned (lowercased) name is, or null (not of this world). */
  private userOf(key: string): number | null {
    const head = `${this.prefix}_`;
    if (!key.startsWith(head)) return null;
    const index = parseInt(key.slice(head.length), 36);
    if (!(index >= 0 && index < this.userIds.length)) return null;
    return bulkUsername(this.prefix, index) === key ? this.userIds[index] : null;
  }
}
