import type { Migration } from './index';

// Search (app/search). Users by name prefix: `username_key` (lowercase, utf8mb4_bin) already
// has its unique index, so `username_key LIKE 'abc%'` is a range read on it. Display names
// are utf8mb4_unicode_ci, a case-insensitive collation, so a plain index on `display_name`
// serves `display_name LIKE 'Abc%'` in any case. Tweets by words: an InnoDB FULLTEXT index on
// `content`, read with MATCH ... AGAINST in boolean mode (docs/decisions/0015).
export const up: Migration = async ({ context: qi }) => {
  await qi.addIndex('users', ['display_name'], { name: 'users_display_name' });
  await qi.sequelize.query('ALTER TABLE tweets ADD FULLTEXT INDEX tweets_content_ft (content)');
};

export const down: Migration = async ({ context: qi }) => {
  await qi.removeIndex('tweets', 'tweets_content_ft');
  await qi.removeIndex('users', 'users_display_name');
};
