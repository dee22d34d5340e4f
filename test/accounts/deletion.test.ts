import { expect } from 'chai';
import {
  ACCOUNT_REFERENCES_KEPT,
  PURGE_STEPS,
  REMOVED_WITH_ACCOUNT,
} from '../../app/accounts/purge';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import type { ApiNode } from '../helpers/apiNode';
import { eventually } from '../helpers/poll';
import { expectProblem } from '../helpers/problems';
import {
  engage,
  follow,
  getUser,
  notificationsOf,
  postTweet,
  type TweetBody,
} from '../helpers/socialGraph';
import { type Cluster, startCluster, stopCluster } from '../realtime/cluster';
import { connect } from '../realtime/sockets';
import {
  columnsNamingUsers,
  counterMismatches,
  deleteAccount,
  expectDeleting,
  rowsNaming,
  waitUntilGone,
} from './support';

const named = (column: { table: string; column: string }) => `${column.table}.${column.column}`;
const DECLARED = [
  ...PURGE_STEPS.flatMap((step) => step.columns),
  ...REMOVED_WITH_ACCOUNT,
  ...ACCOUNT_REFERENCES_KEPT,
].map(named);
const KEPT = new Set(ACCOUNT_REFERENCES_KEPT.map(named));

/** Ids of the first page of `path` for `viewer`. */
async function idsAt(viewer: TestUser, path: string): Promise<string[]> {
  const response = await api().get(`${path}?limit=100`).set(bearer(viewer.accessToken));
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).to.equal(200);
  return (response.body as { data: { id: string }[] }).data.map((item) => item.id);
}

describe('deleting an account: what it removes (app/accounts/purge.ts)', () => {
  it('declares every column that names a user: removed by a step, with the row, or kept', async () => {
    const undeclared = (await columnsNamingUsers()).filter((name) => !DECLARED.includes(name));
    expect(undeclared, 'columns the deletion job would leave naming a deleted user').to.deep.equal(
      [],
    );
  });

  it('declares only columns the schema has, each once, and why each kept one stays', async () => {
    const columns = new Set(await columnsNamingUsers());
    expect(DECLARED.filter((name) => !columns.has(name))).to.deep.equal([]);
    expect(new Set(DECLARED).size).to.equal(DECLARED.length);
    for (const kept of ACCOUNT_REFERENCES_KEPT) expect(kept.reason, named(kept)).to.not.equal('');
  });
});

describe('DELETE /users/me', function () {
  this.timeout(90_000);
  let cluster: Cluster;
  let nodeA: ApiNode;
  let nodeB: ApiNode;
  let victim: TestUser;
  let follower: TestUser;
  let fan: TestUser;
  let tweet: TweetBody;
  let fansTweet: TweetBody;

  before(async function () {
    this.timeout(60_000);
    cluster = await startCluster(2);
    [nodeA, nodeB] = cluster.nodes;
    [victim, follower, fan] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    await follow(follower, victim);
    await follow(victim, fan);
    tweet = await postTweet(victim, 'a tweet that will go with its author');
    fansTweet = await postTweet(fan, `a tweet for @${victim.username} to like and retweet`);
    await postTweet(fan, 'a reply to the victim', { replyToId: tweet.id });
    await engage(fan, 'post', 'like', tweet.id);
    await engage(victim, 'post', 'like', fansTweet.id);
    await engage(victim, 'post', 'retweet', fansTweet.id);
    await eventually(
      () => idsAt(follower, '/tweets'),
      (ids) => ids.includes(tweet.id),
      "the victim's tweet in the follower's home timeline",
    );
    expect(await actorsNotifying(fan)).to.include(victim.id);
  });

  /** Who the notifications `user` lists come from. */
  const actorsNotifying = async (user: TestUser) =>
    (await notificationsOf(user)).map((notification) => notification.actor.id);

  after(async () => {
    await stopCluster(cluster);
  });

  it('refuses a wrong password with 401 invalid_credentials, and keeps the account', async () => {
    const response = await deleteAccount(victim, { password: 'not the password' });
    expectProblem(response, 401, 'invalid_credentials');
    expect((await getUser(follower, victim.id)).id).to.equal(victim.id);
  });

  it('refuses a missing password or an unknown field with 400', async () => {
    expectProblem(await deleteAccount(victim, {}), 400, 'validation_failed');
    expectProblem(
      await deleteAccount(victim, { password: victim.password, also: 'this' }),
      400,
      'validation_failed',
    );
    expect((await getUser(follower, victim.id)).id).to.equal(victim.id);
  });

  it('answers 202 at once; sessions and sockets end everywhere and the account is gone', async () => {
    const socket = await connect(nodeB.url, victim.accessToken);
    expectDeleting(await deleteAccount(victim, undefined, nodeA.client()));
    await socket.disconnected();
    for (const node of [nodeA, nodeB]) {
      const me = await node.client().get('/users/me').set(bearer(victim.accessToken));
      expectProblem(me, 401, 'unauthorized');
    }
    expectProblem(
      await api().post('/auth/refresh').send({ refreshToken: victim.refreshToken }),
      401,
      'unauthorized',
    );
    expectProblem(
      await api()
        .post('/auth/login')
        .send({ username: victim.username, password: victim.password }),
      401,
      'invalid_credentials',
    );
    const profile = await api().get(`/users/${victim.id}`).set(bearer(follower.accessToken));
    expectProblem(profile, 404, 'not_found');
    const gone = await api().get(`/tweets/${tweet.id}`).set(bearer(follower.accessToken));
    expectProblem(gone, 404, 'not_found');
    expect(await idsAt(follower, '/tweets')).to.not.include(tweet.id);
    expect(await actorsNotifying(fan), "the victim's like and retweet").to.not.include(victim.id);
  });

  it('then removes every row of the account, counters exact, name and email free', async () => {
    await waitUntilGone(victim.id);
    expect(
      await rowsNaming(
        victim.id,
        DECLARED.filter((name) => !KEPT.has(name)),
      ),
    ).to.deep.equal([]);
    expect(await counterMismatches()).to.deep.equal([]);
    const fanNow = await getUser(follower, fan.id);
    expect(fanNow.followersCount, "the fan's followers").to.equal(0);
    expect((await getUser(fan, follower.id)).followingCount, "the follower's follows").to.equal(0);
    const liked = await api().get(`/tweets/${fansTweet.id}`).set(bearer(fan.accessToken));
    expect(liked.body).to.include({ likesCount: 0, retweetsCount: 0 });
    expect(await idsAt(follower, '/tweets')).to.not.include(tweet.id);
    const again = await api()
      .post('/auth/register')
      .send({ username: victim.username, email: victim.email, password: 'another good password' });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
  });
});
