import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { redis } from '../../app/infra/redis';
import { keys } from '../../app/cache/keys';
import { api } from '../helpers/http';
import {
  countOf,
  runSeeder,
  tweetsWithWrongCounters,
  usersWithWrongCounters,
  type UserScope,
} from './seeding';

const SIZE = { users: 500, tweets: 1000, follows: 2500, likes: 2000, warm: 20 };
const prefix = `t${randomInt(36 ** 6).toString(36)}`;
const world = (name: string): UserScope => ({
  sql: 'u.username_key LIKE :scope',
  scope: `${name}\\_%`,
});

/** Users, follows (by their follower), tweets and likes (by their author) of a world. */
async function rowsOf(name: string) {
  const scope = { pattern: `${name}\\_%` };
  const inWorld = 'SELECT id FROM users WHERE username_key LIKE :pattern';
  return {
    users: await countOf('SELECT COUNT(*) AS n FROM users WHERE username_key LIKE :pattern', scope),
    follows: await countOf(
      `SELECT COUNT(*) AS n FROM follows WHERE follower_id IN (${inWorld})`,
      scope,
    ),
    tweets: await countOf(
      `SELECT COUNT(*) AS n FROM tweets WHERE author_id IN (${inWorld})`,
      scope,
    ),
    likes: await countOf(`SELECT COUNT(*) AS n FROM likes WHERE user_id IN (${inWorld})`, scope),
  };
}

describe('npm run db:seed -- --users N --tweets M --follows F (a bulk world)', function () {
  this.timeout(120_000);
  let run: Awaited<ReturnType<typeof runSeeder>>;

  before(async () => {
    run = await runSeeder([
      ...Object.entries(SIZE).flatMap(([name, value]) => [`--${name}`, String(value)]),
      ...['--prefix', prefix],
    ]);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
  });

  it('writes exactly the users, follows, tweets and likes asked for', async () => {
    expect(await rowsOf(prefix)).to.deep.equal({
      users: SIZE.users,
      follows: SIZE.follows,
      tweets: SIZE.tweets,
      likes: SIZE.likes,
    });
    expect(run.stdout).to.match(/Bulk world "\w+" .* in [\d.]+ s/);
  });

  it('keeps every user and tweet counter equal to the rows', async () => {
    expect(await usersWithWrongCounters(world(prefix))).to.deep.equal([]);
    expect(await tweetsWithWrongCounters(world(prefix))).to.deep.equal([]);
  });

  it('never has a user follow themselves, nor follow the same account twice', async () => {
    const pattern = `${prefix}\\_%`;
    const [row] = await sequelize.query<{ self: number; pairs: number; rows: number }>(
      `SELECT SUM(f.follower_id = f.followee_id) AS self,
              COUNT(DISTINCT f.follower_id, f.followee_id) AS pairs, COUNT(*) AS \`rows\`
       FROM follows f JOIN users u ON u.id = f.follower_id WHERE u.username_key LIKE :pattern`,
      { replacements: { pattern }, type: QueryTypes.SELECT },
    );
    expect(Number(row.self)).to.equal(0);
    expect(Number(row.pairs)).to.equal(Number(row.rows));
  });

  it('gives a few accounts most followers: the top 1% hold over a fifth of all follows', async () => {
    const top = await sequelize.query<{ n: number }>(
      `SELECT followers_count AS n FROM users WHERE username_key LIKE :pattern
       ORDER BY followers_count DESC LIMIT :top`,
      {
        replacements: { pattern: `${prefix}\\_%`, top: SIZE.users / 100 },
        type: QueryTypes.SELECT,
      },
    );
    const held = top.reduce((sum, row) => sum + Number(row.n), 0);
    expect(held / SIZE.follows).to.be.greaterThan(0.2);
  });

  it('warms the home timelines of the users who follow the most accounts, and only those', async () => {
    const users = await sequelize.query<{ id: string }>(
      `SELECT id FROM users WHERE username_key LIKE :pattern ORDER BY following_count DESC, id`,
      { replacements: { pattern: `${prefix}\\_%` }, type: QueryTypes.SELECT },
    );
    const warm = await Promise.all(users.map((user) => redis.exists(keys.home(String(user.id)))));
    expect(warm.slice(0, SIZE.warm)).to.deep.equal(Array(SIZE.warm).fill(1));
    expect(warm.filter((exists) => exists === 1)).to.have.length(SIZE.warm);
  });

  it('prints a username and the shared password, which sign in', async () => {
    const [, username, password] = /"username":"(\w+)","password":"([^"]+)"/.exec(run.stdout) ?? [];
    expect(username, run.stdout).to.match(new RegExp(`^${prefix}_[a-z0-9]+$`));
    const response = await api().post('/auth/login').send({ username, password });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
  });

  it('adds a second world under a fresh prefix when run again', async () => {
    const before = await rowsOf(prefix);
    const again = await runSeeder(['--users', '50', '--tweets', '100', '--follows', '200']);
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    const [, second] = /Bulk world "(\w+)"/.exec(again.stdout) ?? [];
    expect(second).to.be.a('string').and.not.equal(prefix);
    expect(await rowsOf(second)).to.deep.equal({
      users: 50,
      follows: 200,
      tweets: 100,
      likes: 100,
    });
    expect(await rowsOf(prefix)).to.deep.equal(before);
    expect(await usersWithWrongCounters(world(second))).to.deep.equal([]);
  });

  it('refuses a prefix that is already taken, and writes nothing', async () => {
    const before = await rowsOf(prefix);
    const again = await runSeeder(['--users', '10', '--tweets', '10', '--prefix', prefix]);
    expect(again.code).to.not.equal(0);
    expect(again.stderr).to.include(`prefix "${prefix}" is taken`);
    expect(await rowsOf(prefix)).to.deep.equal(before);
  });

  it('answers a usage message for a bad argument', async () => {
    const bad = await runSeeder(['--users', 'many', '--tweets', '10']);
    expect(bad.code).to.equal(64);
    expect(bad.stderr).to.include('--users must be a whole number');
  });
});
