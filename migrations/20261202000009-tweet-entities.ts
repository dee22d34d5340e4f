import { DataTypes, QueryTypes, type Sequelize } from 'sequelize';
import { entityKeys } from '../app/text/entities';
import type { Migration } from './index';

// Tweet entities are stored when a tweet is posted, not derived when it is read:
//
// - tweet_mentions: the accounts a tweet mentions, resolved when it was posted. Deriving
//   them at read time turned an old `@name` into a mention of whoever registered that name
//   later. Keyed (tweet_id, user_id); the (user_id, tweet_id) index serves "tweets that
//   mention me" and removing an account's rows.
// - tweet_hashtags: one row per distinct tag of a tweet. GET /hashtags/:tag/tweets reads
//   (tag, tweet_id) newest first as a range of the primary key; `tag` is already NFKC and
//   lowercased by the parser, so it compares byte for byte (utf8mb4_bin: a _ci collation
//   would also fold accents, `#café` into `#cafe`). author_id and created_at let trending
//   and moderation find an author's recent uses without joining tweets.
//
// Existing tweets are backfilled here, in batches of 1,000 by id, with the same parser the
// API uses; mentions resolve against the accounts that exist when the migration runs.
const BATCH = 1000;

export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'tweet_mentions',
    {
      tweet_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, primaryKey: true },
      user_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, primaryKey: true },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('tweet_mentions', ['user_id', 'tweet_id'], {
    name: 'tweet_mentions_user_id_tweet_id',
  });
  await qi.createTable(
    'tweet_hashtags',
    {
      tag: { type: DataTypes.STRING(100), allowNull: false, primaryKey: true },
      tweet_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, primaryKey: true },
      author_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.sequelize.query(
    'ALTER TABLE tweet_hashtags MODIFY tag VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
  );
  await qi.addIndex('tweet_hashtags', ['tweet_id'], { name: 'tweet_hashtags_tweet_id' });
  await qi.addIndex('tweet_hashtags', ['author_id', 'tag', 'created_at'], {
    name: 'tweet_hashtags_author_id_tag_created_at',
  });

  await backfillTweetEntities(qi.sequelize);
};

/**
 * Writes the mention and hashtag rows of every tweet (retweet entries have no content),
 * batch by batch; rows already there are kept (INSERT IGNORE), so it can run again.
 */
export async function backfillTweetEntities(sequelize: Sequelize): Promise<void> {
  let after = '0';
  for (;;) {
    const rows = await sequelize.query<{
      id: string;
      author_id: string;
      content: string;
      created_at: string;
    }>(
      `SELECT id, author_id, content, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS created_at
         FROM tweets
        WHERE id > ? AND retweet_of_id IS NULL ORDER BY id LIMIT ${BATCH}`,
      { replacements: [after], type: QueryTypes.SELECT },
    );
    if (rows.length === 0) break;
    after = String(rows[rows.length - 1].id);
    const parsed = rows.map((row) => ({ row, keys: entityKeys(row.content) }));
    const names = [...new Set(parsed.flatMap(({ keys }) => keys.names))];
    const accounts = new Map<string, string>();
    if (names.length > 0) {
      const found = await sequelize.query<{ id: string; username_key: string }>(
        'SELECT id, username_key FROM users WHERE username_key IN (?)',
        { replacements: [names], type: QueryTypes.SELECT },
      );
      for (const account of found) accounts.set(account.username_key, String(account.id));
    }
    const mentions: string[][] = [];
    const hashtags: unknown[][] = [];
    for (const { row, keys } of parsed) {
      for (const name of keys.names) {
        const userId = accounts.get(name);
        if (userId !== undefined) mentions.push([String(row.id), userId]);
      }
      for (const tag of keys.tags) {
        hashtags.push([tag, String(row.id), String(row.author_id), row.created_at]);
      }
    }
    if (mentions.length > 0) {
      await sequelize.query('INSERT IGNORE INTO tweet_mentions (tweet_id, user_id) VALUES ?', {
        replacements: [mentions],
      });
    }
    if (hashtags.length > 0) {
      await sequelize.query(
        'INSERT IGNORE INTO tweet_hashtags (tag, tweet_id, author_id, created_at) VALUES ?',
        { replacements: [hashtags] },
      );
    }
  }
}

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('tweet_hashtags');
  await qi.dropTable('tweet_mentions');
};
