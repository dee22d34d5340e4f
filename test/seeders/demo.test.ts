import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { redis } from '../../app/infra/redis';
import { keys } from '../../app/cache/keys';
import { rebuildTrending } from '../../app/hashtags/trending';
import { topTrending } from '../../app/cache/trending';
import {
  DEMO_BLOCKS,
  DEMO_BOOKMARKS,
  DEMO_MUTES,
  DEMO_PASSWORD,
  DEMO_POSTS,
  DEMO_REPLIES,
  DEMO_THREAD,
  DEMO_USERS,
} from '../../seeders/demoWorld';
import { api } from '../helpers/http';
import { runToExit } from '../helpers/processes';
import { tweetsWithWrongCounters, usersWithWrongCounters, type UserScope } from './seeding';

const names = DEMO_USERS.map(([name]) => name);
const demo: UserScope = { sql: 'u.username_key IN (:scope)', scope: names };

/**
 * Every row of the demo world: users with their counters, follows, tweets, likes, bookmarks,
 * the tweets' mentions and tags, and the notifications of mentions.
 */
async function snapshot() {
  const select = (sql: string) =>
    sequelize.query(sql, { replacements: { names }, type: QueryTypes.SELECT });
  const demoIds = 'SELECT id FROM users WHERE username_key IN (:names)';
  return {
    users: await select(
      `SELECT id, username, followers_count, following_count, tweets_count FROM users
       WHERE username_key IN (:names) ORDER BY id`,
    ),
    follows: await select(
      `SELECT follower_id, followee_id FROM follows WHERE follower_id IN (${demoIds}) ORDER BY id`,
    ),
    tweets: await select(
      `SELECT id, author_id, content, reply_to_id, retweet_of_id, likes_count, retweets_count,
       replies_count FROM tweets WHERE author_id IN (${demoIds}) ORDER BY id`,
    ),
    likes: await select(
      `SELECT user_id, tweet_id FROM likes WHERE user_id IN (${demoIds}) ORDER BY user_id, tweet_id`,
    ),
    bookmarks: await select(
      `SELECT id, user_id, tweet_id FROM bookmarks WHERE user_id IN (${demoIds}) ORDER BY id`,
    ),
    mentions: await select(
      `SELECT m.tweet_id, m.user_id FROM tweet_mentions m JOIN tweets t ON t.id = m.tweet_id
       WHERE t.author_id IN (${demoIds}) ORDER BY m.tweet_id, m.user_id`,
    ),
    hashtags: await select(
      `SELECT tag, tweet_id FROM tweet_hashtags WHERE author_id IN (${demoIds}) ORDER BY tag, tweet_id`,
    ),
    blocks: await select(
      `SELECT blocker_id, blocked_id FROM blocks WHERE blocker_id IN (${demoIds}) ORDER BY id`,
    ),
    mutes: await select(
      `SELECT muter_id, muted_id FROM mutes WHERE muter_id IN (${demoIds}) ORDER BY id`,
    ),
    notifications: await select(
      `SELECT id, user_id, type, actor_id, tweet_id FROM notifications
       WHERE actor_id IN (${demoIds}) ORDER BY id`,
    ),
  };
}

/** A demo user's access token, signed in through the API with the shared password. */
async function signIn(username: string): Promise<string> {
  const response = await api().post('/auth/login').send({ username, password: DEMO_PASSWORD });
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as { accessToken: string }).accessToken;
}

/** Contents of the tweets in a page or list answered by the API. */
function contents(tweets: { content: string }[]): string[] {
  return tweets.map((tweet) => tweet.content);
}

describe('npm run db:seed (the demo world)', function () {
  this.timeout(60_000);
  let first: { code: number | null; output: string };
  let second: { code: number | null; output: string };
  let afterFirst: Awaited<ReturnType<typeof snapshot>>;
  let afterSecond: Awaited<ReturnType<typeof snapshot>>;

  before(async () => {
    // Trending is live before the seed, as on a running Chirp: the seed must count its tags in.
    await rebuildTrending();
    first = await runToExit('seeders/index.ts');
    afterFirst = await snapshot();
    second = await runToExit('seeders/index.ts');
    afterSecond = await snapshot();
  });

  it('loads a dozen users who follow each other, with tweets, replies, retweets and likes', () => {
    expect(first.code, first.output).to.equal(0);
    expect(afterFirst.users).to.have.length(12);
    expect(afterFirst.follows.length).to.be.greaterThan(12);
    const tweets = afterFirst.tweets as {
      reply_to_id: string | null;
      retweet_of_id: string | null;
    }[];
    expect(tweets.filter((t) => t.reply_to_id !== null)).to.not.be.empty;
    expect(tweets.filter((t) => t.retweet_of_id !== null)).to.not.be.empty;
    expect(afterFirst.likes).to.not.be.empty;
  });

  it('changes nothing when run a second time: no duplicate, the same counters', () => {
    expect(second.code, second.output).to.equal(0);
    expect(second.output).to.include('nothing changed');
    expect(afterSecond).to.deep.equal(afterFirst);
  });

  it('keeps every user and tweet counter equal to the rows', async () => {
    expect(await usersWithWrongCounters(demo)).to.deep.equal([]);
    expect(await tweetsWithWrongCounters(demo)).to.deep.equal([]);
  });

  it('holds a block and a mute: the blocker is a stranger to the blocked, the muted followee leaves the home timeline', async () => {
    const [[blocker, blocked]] = DEMO_BLOCKS;
    const [[muter, muted]] = DEMO_MUTES;
    expect(afterSecond.blocks).to.have.length(DEMO_BLOCKS.length);
    expect(afterSecond.mutes).to.have.length(DEMO_MUTES.length);
    const ids = new Map(
      (afterSecond.users as { id: string; username: string }[]).map((u) => [
        u.username,
        String(u.id),
      ]),
    );

    const asBlocked = await signIn(blocked);
    const hidden = await api()
      .get(`/users/${ids.get(blocker)}`)
      .set('Authorization', `Bearer ${asBlocked}`);
    expect(hidden.status, JSON.stringify(hidden.body)).to.equal(404);
    const asBlocker = await signIn(blocker);
    const seen = await api()
      .get(`/users/${ids.get(blocked)}`)
      .set('Authorization', `Bearer ${asBlocker}`);
    expect(seen.body.blocking, JSON.stringify(seen.body)).to.equal(true);

    const asMuter = await signIn(muter);
    const profile = await api()
      .get(`/users/${ids.get(muted)}`)
      .set('Authorization', `Bearer ${asMuter}`);
    expect(profile.body, JSON.stringify(profile.body)).to.include({
      following: true,
      muting: true,
    });
    const home = await api().get('/tweets?limit=100').set('Authorization', `Bearer ${asMuter}`);
    expect(home.status).to.equal(200);
    const authors = (
      home.body.data as { author?: { id: string }; retweetedBy?: { id: string } }[]
    ).map((entry) => (entry.author ?? entry.retweetedBy)!.id);
    expect(authors).to.not.be.empty;
    expect(authors).to.not.include(ids.get(muted));
  });

  it('prints a username and password that sign in', async () => {
    const [, username, password] =
      /"username":"(\w+)","password":"([^"]+)"/.exec(second.output) ?? [];
    expect(username, second.output).to.be.a('string');
    const response = await api().post('/auth/login').send({ username, password });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body.user.username).to.equal(username);
    expect(response.body.user.followingCount).to.be.greaterThan(0);
  });

  it('holds a thread: GET /tweets/:id/context on its deepest reply answers the chain, root first', async () => {
    const replies = [
      ...DEMO_REPLIES.map(([, , content]) => content),
      ...DEMO_THREAD.map(([, , c]) => c),
    ];
    const deepest = (afterFirst.tweets as { id: string; content: string }[]).find(
      (tweet) => tweet.content === DEMO_THREAD[2][2],
    )!;
    const token = await signIn('ada');
    const response = await api()
      .get(`/tweets/${deepest.id}/context`)
      .set('Authorization', `Bearer ${token}`);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(contents(response.body.ancestors)).to.deep.equal([
      DEMO_POSTS.ada[0],
      replies[1],
      replies[8],
      replies[9],
    ]);
    const branches = await api()
      .get(`/tweets/${response.body.ancestors[3].id}/replies`)
      .set('Authorization', `Bearer ${token}`);
    expect(branches.status, JSON.stringify(branches.body)).to.equal(200);
    expect(contents(branches.body.data)).to.deep.equal([replies[10], replies[11]]);
  });

  it('gives demo users bookmarks: GET /bookmarks lists them, newest first, flagged bookmarked', async () => {
    const token = await signIn('ada');
    const response = await api().get('/bookmarks').set('Authorization', `Bearer ${token}`);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    const data = response.body.data as { content: string; bookmarked: boolean }[];
    expect(contents(data)).to.deep.equal([
      DEMO_THREAD[1][2],
      DEMO_POSTS.donald[0],
      DEMO_POSTS.edsger[0],
    ]);
    expect(data.map((tweet) => tweet.bookmarked)).to.deep.equal([true, true, true]);
    expect(afterSecond.bookmarks).to.have.length(DEMO_BOOKMARKS.length);
  });

  it('holds mentions: grace is notified of the posts that mention her, which show them', async () => {
    const token = await signIn('grace');
    const response = await api()
      .get('/notifications?type=mention')
      .set('Authorization', `Bearer ${token}`);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    const data = response.body.data as {
      actor: { username: string };
      tweet: { content: string; entities: { mentions: { username: string }[] } };
    }[];
    expect(data.map((n) => n.actor.username).sort()).to.deep.equal(['ada', 'frances', 'margaret']);
    const fromAda = data.find((n) => n.actor.username === 'ada')!.tweet;
    expect(fromAda.content).to.equal(DEMO_POSTS.ada[2]);
    expect(fromAda.entities.mentions.map((m) => m.username)).to.deep.equal(['alan', 'grace']);
  });

  it('holds hashtags two authors share: GET /hashtags/:tag/tweets lists both, trending counts them', async () => {
    const token = await signIn('ada');
    const tagged = await api()
      .get('/hashtags/compilers/tweets')
      .set('Authorization', `Bearer ${token}`);
    expect(tagged.status, JSON.stringify(tagged.body)).to.equal(200);
    expect(contents(tagged.body.data)).to.deep.equal([DEMO_POSTS.frances[2], DEMO_POSTS.grace[2]]);
    const trending = await api().get('/hashtags/trending').set('Authorization', `Bearer ${token}`);
    expect(trending.status, JSON.stringify(trending.body)).to.equal(200);
    // Other tests' tags may outrank the demo's in the top 10: read the whole ranking.
    const shared = ((await topTrending(100_000)) ?? []).filter((t) => t.authors >= 2);
    expect(shared.map((t) => t.tag)).to.include.members([
      'compilers',
      'computing',
      'history',
      'opensource',
    ]);
  });

  it('leaves the demo users with warm home timelines', async () => {
    const ids = (afterSecond.users as { id: string }[]).map((user) => String(user.id));
    const warm = await Promise.all(ids.map((id) => redis.exists(keys.home(id))));
    expect(warm).to.deep.equal(ids.map(() => 1));
  });
});
