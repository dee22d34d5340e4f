import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { redis } from '../../app/infra/redis';
import { keys } from '../../app/cache/keys';
import { DEMO_USERS } from '../../seeders/demoWorld';
import { api } from '../helpers/http';
import { runToExit } from '../helpers/processes';
import { tweetsWithWrongCounters, usersWithWrongCounters, type UserScope } from './seeding';

const names = DEMO_USERS.map(([name]) => name);
const demo: UserScope = { sql: 'u.username_key IN (:scope)', scope: names };

/** Every row of the demo world: its users with their counters, follows, tweets and likes. */
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
  };
}

describe('npm run db:seed (the demo world)', function () {
  this.timeout(60_000);
  let first: { code: number | null; output: string };
  let second: { code: number | null; output: string };
  let afterFirst: Awaited<ReturnType<typeof snapshot>>;
  let afterSecond: Awaited<ReturnType<typeof snapshot>>;

  before(async () => {
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

  it('prints a username and password that sign in', async () => {
    const [, username, password] =
      /"username":"(\w+)","password":"([^"]+)"/.exec(second.output) ?? [];
    expect(username, second.output).to.be.a('string');
    const response = await api().post('/auth/login').send({ username, password });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body.user.username).to.equal(username);
    expect(response.body.user.followingCount).to.be.greaterThan(0);
  });

  it('leaves the demo users with warm home timelines', async () => {
    const ids = (afterSecond.users as { id: string }[]).map((user) => String(user.id));
    const warm = await Promise.all(ids.map((id) => redis.exists(keys.home(id))));
    expect(warm).to.deep.equal(ids.map(() => 1));
  });
});
