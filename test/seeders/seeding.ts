import { spawn } from 'node:child_process';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs `seeders/index.ts` with command-line arguments as a real child process, in the test
 * environment (test/helpers/processes.ts runToExit passes no arguments). Answers its exit
 * code, stdout and stderr.
 */
export function runSeeder(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'seeders/index.ts'), ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** SQL naming the users in scope, as `u` (a condition with `:scope` in it). */
export type UserScope = { sql: string; scope: unknown };

/** Users in scope whose followers, following or tweets count differs from the rows. */
export async function usersWithWrongCounters({ sql, scope }: UserScope): Promise<unknown[]> {
  return sequelize.query(
    `SELECT u.username FROM users u
     LEFT JOIN (SELECT followee_id AS id, COUNT(*) AS n FROM follows GROUP BY followee_id) fr ON fr.id = u.id
     LEFT JOIN (SELECT follower_id AS id, COUNT(*) AS n FROM follows GROUP BY follower_id) fg ON fg.id = u.id
     LEFT JOIN (SELECT author_id AS id, COUNT(*) AS n FROM tweets GROUP BY author_id) tw ON tw.id = u.id
     WHERE ${sql} AND (u.followers_count <> COALESCE(fr.n, 0)
       OR u.following_count <> COALESCE(fg.n, 0) OR u.tweets_count <> COALESCE(tw.n, 0))`,
    { replacements: { scope }, type: QueryTypes.SELECT },
  );
}

/** Tweets by users in scope whose likes, retweets or replies count differs from the rows. */
export async function tweetsWithWrongCounters({ sql, scope }: UserScope): Promise<unknown[]> {
  return sequelize.query(
    `SELECT t.id FROM tweets t JOIN users u ON u.id = t.author_id
     LEFT JOIN (SELECT tweet_id AS id, COUNT(*) AS n FROM likes GROUP BY tweet_id) l ON l.id = t.id
     LEFT JOIN (SELECT retweet_of_id AS id, COUNT(*) AS n FROM tweets
                WHERE retweet_of_id IS NOT NULL GROUP BY retweet_of_id) r ON r.id = t.id
     LEFT JOIN (SELECT reply_to_id AS id, COUNT(*) AS n FROM tweets
                WHERE reply_to_id IS NOT NULL GROUP BY reply_to_id) p ON p.id = t.id
     WHERE ${sql} AND (t.likes_count <> COALESCE(l.n, 0)
       OR t.retweets_count <> COALESCE(r.n, 0) OR t.replies_count <> COALESCE(p.n, 0))`,
    { replacements: { scope }, type: QueryTypes.SELECT },
  );
}

/** A single number from a query. */
export async function countOf(sql: string, replacements: Record<string, unknown>): Promise<number> {
  const [row] = await sequelize.query<{ n: number }>(sql, {
    replacements,
    type: QueryTypes.SELECT,
  });
  return Number(row?.n ?? 0);
}
