import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { rebuildTrending } from '../../app/hashtags/trending';
import { topTrending, trendingSince } from '../../app/cache/trending';
import { parseEntities } from '../../app/text/entities';
import { MAX_MENTION_NOTIFICATIONS } from '../../app/tweets/postEntities';
import { BULK_PASSWORD } from '../../seeders/bulkNames';
import { api } from '../helpers/http';
import { runSeeder, tweetsWithWrongCounters, usersWithWrongCounters } from './seeding';

const prefix = `e${randomInt(36 ** 6).toString(36)}`;
const pattern = `${prefix}\\_%`;

interface Post {
  id: string;
  authorId: string;
  content: string;
  createdAt: string;
}

const select = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) =>
  sequelize.query<T>(sql, { replacements: { pattern, ...replacements }, type: QueryTypes.SELECT });

/** The usernames of some users. */
async function usernamesOf(ids: string[]): Promise<string[]> {
  const rows = await select<{ username: string }>('SELECT username FROM users WHERE id IN (:ids)', {
    ids,
  });
  return rows.map((row) => row.username);
}

/** Sorted lines, to compare sets of rows. */
const lines = (rows: unknown[][]): string[] => rows.map((row) => row.join(' ')).sort();

describe('npm run db:seed -- --users N --tweets M (mentions and hashtags of a bulk world)', function () {
  this.timeout(120_000);
  let posts: Post[];
  /** Account id by username_key, for every name the posts mention. */
  let accounts: Map<string, string>;

  before(async () => {
    // Trending is live before the seed, as on a running Chirp: the seed must count its tags in.
    await rebuildTrending();
    const run = await runSeeder(['--users', '300', '--tweets', '3000', '--prefix', prefix]);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    posts = (
      await select<Post>(
        `SELECT t.id, t.author_id AS authorId, t.content,
                DATE_FORMAT(t.created_at, '%Y-%m-%d %H:%i:%s.%f') AS createdAt
           FROM tweets t JOIN users u ON u.id = t.author_id
          WHERE u.username_key LIKE :pattern AND t.retweet_of_id IS NULL`,
      )
    ).map((p) => ({ ...p, id: String(p.id), authorId: String(p.authorId) }));
    const names = [
      ...new Set(
        posts.flatMap((p) => parseEntities(p.content).mentions.map((m) => m.name.toLowerCase())),
      ),
    ];
    const found = await select<{ id: string; username_key: string }>(
      'SELECT id, username_key FROM users WHERE username_key IN (:names)',
      { names: names.length > 0 ? names : [''] },
    );
    accounts = new Map(found.map((a) => [a.username_key, String(a.id)]));
  });

  /** The accounts a post mentions, each once, in order (as the API resolves them). */
  const mentionedBy = (post: Post): string[] => [
    ...new Set(
      parseEntities(post.content)
        .mentions.map((m) => accounts.get(m.name.toLowerCase()))
        .filter((id): id is string => id !== undefined),
    ),
  ];

  it('writes posts that mention users and carry tags, none longer than 280 code points', () => {
    const mentioning = posts.filter((p) => mentionedBy(p).length > 0);
    const tagged = posts.filter((p) => parseEntities(p.content).hashtags.length > 0);
    expect(mentioning.length / posts.length).to.be.within(0.05, 0.2);
    expect(tagged.length / posts.length).to.be.within(0.2, 0.45);
    expect(Math.max(...posts.map((p) => [...p.content].length))).to.be.at.most(280);
    // Every name written is a user of the world: nothing is left as plain text.
    const written = posts.flatMap((p) => parseEntities(p.content).mentions);
    expect(written.every((m) => accounts.has(m.name.toLowerCase()))).to.equal(true);
  });

  it("stores exactly the mentions and distinct tags the API's parser finds in every post", async () => {
    const ids = posts.map((p) => p.id);
    const mentions = await select<{ tweet_id: string; user_id: string }>(
      'SELECT tweet_id, user_id FROM tweet_mentions WHERE tweet_id IN (:ids)',
      { ids },
    );
    expect(lines(mentions.map((m) => [m.tweet_id, m.user_id]))).to.deep.equal(
      lines(posts.flatMap((p) => mentionedBy(p).map((userId) => [p.id, userId]))),
    );
    const tags = await select<{ tag: string; tweet_id: string; author_id: string; at: string }>(
      `SELECT tag, tweet_id, author_id, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS at
         FROM tweet_hashtags WHERE tweet_id IN (:ids)`,
      { ids },
    );
    const expected = posts.flatMap((p) =>
      [...new Set(parseEntities(p.content).hashtags.map((h) => h.tag))].map((tag) => [
        tag,
        p.id,
        p.authorId,
        p.createdAt,
      ]),
    );
    expect(expected).to.not.be.empty;
    expect(lines(tags.map((t) => [t.tag, t.tweet_id, t.author_id, t.at]))).to.deep.equal(
      lines(expected),
    );
  });

  it('draws tags from a skewed vocabulary: the most used tag is far ahead of the tenth', async () => {
    const uses = await select<{ n: number }>(
      `SELECT COUNT(*) AS n FROM tweet_hashtags h JOIN users u ON u.id = h.author_id
        WHERE u.username_key LIKE :pattern GROUP BY h.tag ORDER BY n DESC`,
    );
    expect(uses.length).to.be.greaterThan(10);
    expect(Number(uses[0].n)).to.be.greaterThan(3 * Number(uses[9].n));
  });

  it('notifies each mentioned user once per post, never the author, as the API does', async () => {
    const rows = await select<{ user_id: string; actor_id: string; tweet_id: string }>(
      `SELECT user_id, actor_id, tweet_id FROM notifications
        WHERE type = 'mention' AND tweet_id IN (:ids)`,
      { ids: posts.map((p) => p.id) },
    );
    const expected = posts.flatMap((p) =>
      mentionedBy(p)
        .filter((id) => id !== p.authorId)
        .slice(0, MAX_MENTION_NOTIFICATIONS)
        .map((id) => [id, p.authorId, p.id]),
    );
    expect(expected).to.not.be.empty;
    expect(lines(rows.map((n) => [n.user_id, n.actor_id, n.tweet_id]))).to.deep.equal(
      lines(expected),
    );
  });

  it('lets a mentioned user see the mention in GET /notifications?type=mention', async () => {
    // The least mentioned recipient, so the mention is on the first page.
    const pairs = posts.flatMap((p) =>
      mentionedBy(p)
        .filter((id) => id !== p.authorId)
        .map((recipient) => ({ post: p, recipient })),
    );
    const times = (id: string) => pairs.filter((pair) => pair.recipient === id).length;
    const { post, recipient } = pairs.reduce((a, b) =>
      times(b.recipient) < times(a.recipient) ? b : a,
    );
    const [username] = [...accounts].find(([, id]) => id === recipient)!;
    const login = await api().post('/auth/login').send({ username, password: BULK_PASSWORD });
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    const response = await api()
      .get('/notifications?type=mention&limit=100')
      .set('Authorization', `Bearer ${login.body.accessToken as string}`);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    const listed = (response.body.data as { tweet?: { id: string } }[]).map((n) => n.tweet?.id);
    expect(listed).to.include(post.id);
  });

  it("counts the last day's seeded tags in GET /hashtags/trending", async () => {
    const recent = await select<{ tag: string }>(
      `SELECT DISTINCT h.tag FROM tweet_hashtags h JOIN users u ON u.id = h.author_id
        WHERE u.username_key LIKE :pattern AND h.created_at >= :since`,
      // The window's first hour, as of a few minutes from now: a tag used at its very start
      // may leave the window while the test runs.
      { since: trendingSince(Date.now() + 300_000) },
    );
    expect(recent).to.not.be.empty;
    const [username] = await usernamesOf([posts[0].authorId]);
    const login = await api().post('/auth/login').send({ username, password: BULK_PASSWORD });
    const response = await api()
      .get('/hashtags/trending')
      .set('Authorization', `Bearer ${login.body.accessToken as string}`);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    // Other tests' tags may outrank the world's in the top 10: read the whole ranking.
    const ranked = ((await topTrending(100_000)) ?? []).map((t) => t.tag);
    expect(ranked).to.include.members(recent.map((r) => r.tag));
  });

  it('keeps every user and tweet counter equal to the rows', async () => {
    const world = { sql: 'u.username_key LIKE :scope', scope: pattern };
    expect(await usersWithWrongCounters(world)).to.deep.equal([]);
    expect(await tweetsWithWrongCounters(world)).to.deep.equal([]);
  });
});
