import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// Bookmarks: a user's private list of tweets. The row's own id orders the list (newest
// bookmark first) for cursor paging; the pair is unique, so a second bookmark is a no-op.
// The likes table gains the two indexes its lists read by ("who liked a tweet" and "what a
// user liked", newest like first, keyset over (created_at, the other id)), so neither
// sorts a tweet's or a user's whole set of likes.
export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'bookmarks',
    {
      id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
      user_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
      tweet_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('bookmarks', ['user_id', 'tweet_id'], {
    unique: true,
    name: 'bookmarks_user_id_tweet_id',
  });
  await qi.addIndex('bookmarks', ['user_id', 'id'], { name: 'bookmarks_user_id_id' });
  await qi.addIndex('bookmarks', ['tweet_id'], { name: 'bookmarks_tweet_id' });
  await qi.addIndex('likes', ['tweet_id', 'created_at', 'user_id'], {
    name: 'likes_tweet_id_created_at',
  });
  await qi.addIndex('likes', ['user_id', 'created_at', 'tweet_id'], {
    name: 'likes_user_id_created_at',
  });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.removeIndex('likes', 'likes_user_id_created_at');
  await qi.removeIndex('likes', 'likes_tweet_id_created_at');
  await qi.dropTable('bookmarks');
};
