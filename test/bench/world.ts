import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * Bulk data for the benchmark, written with multi-row INSERTs (the API would take minutes
 * to create 10,000 users through bcrypt). Every user gets the same throwaway hash.
 */
const HASH = '$2b$04$C6UzMDM.H6dfI/f/IKxGhu7OLh7h3S.0K1ShL9I0/8U5bF/8Y8p0a'; // not a real account

export async function insertUsers(
  sequelize: Sequelize,
  prefix: string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - start) }, (_, i) => {
      const name = `${prefix}${start + i}`;
      return `('${name}', '${name.toLowerCase()}', '${name}@bench.test', '${name.toLowerCase()}@bench.test', '${name}', '${HASH}', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`;
    });
    await sequelize.query(
      `INSERT INTO users (username, username_key, email, email_key, display_name, password_hash, created_at, updated_at) VALUES ${rows.join(',')}`,
    );
    const found = await sequelize.query<{ id: string }>(
      `SELECT id FROM users WHERE username_key IN (:names) ORDER BY id`,
      {
        replacements: { names: rows.map((_, i) => `${prefix}${start + i}`.toLowerCase()) },
        type: QueryTypes.SELECT,
      },
    );
    ids.push(...found.map((row) => String(row.id)));
  }
  return ids;
}

/** `followers` all follow `followee`; counters kept exact. */
export async function insertFollows(
  sequelize: Sequelize,
  followers: string[],
  followee: string,
): Promise<void> {
  for (let start = 0; start < followers.length; start += 2000) {
    const batch = followers.slice(start, start + 2000);
    await sequelize.query(
      `INSERT INTO follows (follower_id, followee_id, created_at) VALUES ${batch.map((id) => `(${id}, ${followee}, UTC_TIMESTAMP(3))`).join(',')}`,
    );
    await sequelize.query(
      `UPDATE users SET following_count = following_count + 1 WHERE id IN (:batch)`,
      {
        replacements: { batch },
      },
    );
  }
  await sequelize.query(
    `UPDATE users SET followers_count = followers_count + :n WHERE id = :followee`,
    {
      replacements: { n: followers.length, followee },
    },
  );
}

/** Outbox rows not yet relayed to Bull: jobs a write made that the worker has not seen. */
export async function outboxBacklog(sequelize: Sequelize): Promise<number> {
  const [row] = await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM outbox', {
    type: QueryTypes.SELECT,
  });
  return Number(row.n);
}

/**
 * Waits until every job the writes made is done: the outbox empty (each job handed to Bull)
 * and every queue idle.
 */
export async function writesSettled(sequelize: Sequelize): Promise<void> {
  const { eventually } = await import('../helpers/poll');
  const { waitForQueuesIdle } = await import('../helpers/workers');
  await eventually(
    () => outboxBacklog(sequelize),
    (n) => n === 0,
    'outbox empty',
    120_000,
  );
  await waitForQueuesIdle(120_000);
}

/** Ids of the tweets `authors` wrote, newest first, at most `limit`. */
export async function tweetIdsBy(
  sequelize: Sequelize,
  authors: string[],
  limit: number,
): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(
    'SELECT id FROM tweets WHERE author_id IN (:authors) ORDER BY id DESC LIMIT :limit',
    { replacements: { authors, limit }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => String(row.id));
}
