import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import type { ApiNode } from '../helpers/apiNode';
import { eventually } from '../helpers/poll';
import { expectProblem } from '../helpers/problems';
import { follow, postTweet, type TweetBody } from '../helpers/socialGraph';
import { type Cluster, startCluster, stopCluster } from '../realtime/cluster';
import { connect } from '../realtime/sockets';
import { auditOf, makeAdmin, moderate } from './support';

/** The status `viewer` gets for GET `path` through the in-process node. */
const statusOf = async (viewer: TestUser, path: string) =>
  (await api().get(path).set(bearer(viewer.accessToken))).status;

/** Ids of the items of the first page of `path` for `viewer` (100 at most). */
async function idsAt(viewer: TestUser, path: string): Promise<string[]> {
  const separator = path.includes('?') ? '&' : '?';
  const response = await api().get(`${path}${separator}limit=100`).set(bearer(viewer.accessToken));
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).to.equal(200);
  return (response.body as { data: { id: string }[] }).data.map((item) => item.id);
}

const login = (user: TestUser) =>
  api().post('/auth/login').send({ username: user.username, password: user.password });

describe('POST /admin/users/:id/suspend and /unsuspend', function () {
  this.timeout(90_000);
  let cluster: Cluster;
  let nodeA: ApiNode;
  let nodeB: ApiNode;
  let admin: TestUser;
  let victim: TestUser;
  let follower: TestUser;
  let fan: TestUser;
  let tweet: TweetBody;
  let reply: TweetBody;
  const word = `zq${Math.random().toString(36).slice(2, 9)}`;

  before(async function () {
    this.timeout(60_000);
    cluster = await startCluster(2);
    [nodeA, nodeB] = cluster.nodes;
    [admin, victim, follower, fan] = await Promise.all([
      registerUser(),
      registerUser(),
      registerUser(),
      registerUser(),
    ]);
    await makeAdmin(admin);
    await follow(follower, victim);
    tweet = await postTweet(victim, `a tweet about ${word}`);
    reply = await postTweet(fan, `a reply about ${word}`, { replyToId: tweet.id });
    await api().post(`/tweets/${tweet.id}/like`).set(bearer(fan.accessToken)).expect(200);
    await eventually(
      () => idsAt(follower, '/tweets'),
      (ids) => ids.includes(tweet.id),
      "the victim's tweet in the follower's home timeline",
    );
    await redis.del(keys.popularCurrent()); // a snapshot that counts the like above
    expect(await idsAt(follower, '/tweets/popular')).to.include(tweet.id);
  });

  after(async () => {
    await stopCluster(cluster);
  });

  it('refuses a user who is not an admin with 403 forbidden', async () => {
    expectProblem(await moderate(nodeA, follower, 'suspend', victim.id), 403, 'forbidden');
    expectProblem(await moderate(nodeA, follower, 'unsuspend', victim.id), 403, 'forbidden');
    expect(await statusOf(follower, `/users/${victim.id}`)).to.equal(200);
  });

  it('refuses a reason that is missing, blank, over 500 characters or has company, with 400', async () => {
    for (const body of [
      {},
      { reason: '   ' },
      { reason: 'x'.repeat(501) },
      { reason: 'ok', extra: 1 },
    ]) {
      const response = await moderate(nodeA, admin, 'suspend', victim.id, body);
      expectProblem(response, 400, 'validation_failed');
    }
    expect(await statusOf(follower, `/users/${victim.id}`)).to.equal(200);
  });

  it('refuses an admin suspending themself with 400 cannot_suspend_self', async () => {
    expectProblem(await moderate(nodeA, admin, 'suspend', admin.id), 400, 'cannot_suspend_self');
  });

  it('answers 404 for an account that does not exist', async () => {
    expectProblem(await moderate(nodeA, admin, 'suspend', '9007199254740993'), 404, 'not_found');
  });

  it("ends the account's sessions at once: a socket on the other node is cut, tokens refused", async () => {
    const socket = await connect(nodeB.url, victim.accessToken);
    const response = await moderate(nodeA, admin, 'suspend', victim.id, { reason: ' spam ' });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body).to.deep.equal({
      id: victim.id,
      username: victim.username,
      suspended: true,
    });
    await socket.disconnected();
    for (const node of [nodeA, nodeB]) {
      const me = await node.client().get('/users/me').set(bearer(victim.accessToken));
      expectProblem(me, 401, 'unauthorized');
    }
  });

  it('answers login and refresh with 403 suspended', async () => {
    expectProblem(await login(victim), 403, 'suspended');
    const refreshed = await api().post('/auth/refresh').send({ refreshToken: victim.refreshToken });
    expectProblem(refreshed, 403, 'suspended');
  });

  it('hides the profile and tweets from everyone else (404 / absent from every list)', async () => {
    for (const path of [
      `/users/${victim.id}`,
      `/users/by-username/${victim.username}`,
      `/users/${victim.id}/tweets`,
      `/users/${victim.id}/likes`,
      `/tweets/${tweet.id}`,
      `/tweets/${tweet.id}/replies`,
      `/tweets/${tweet.id}/likes`,
    ]) {
      expect(await statusOf(follower, path), path).to.equal(404);
    }
    expect(await idsAt(follower, '/tweets'), 'home timeline').not.to.include(tweet.id);
    expect(await idsAt(fan, '/tweets/popular'), 'popular').not.to.include(tweet.id);
    expect(await idsAt(fan, `/search/tweets?q=${word}`), 'tweet search').to.deep.equal([reply.id]);
    expect(await idsAt(fan, `/search/users?q=${victim.username}`), 'user search').to.deep.equal([]);
    expect(await idsAt(fan, `/users/${follower.id}/following`), 'following').to.deep.equal([]);
    const context = await api().get(`/tweets/${reply.id}/context`).set(bearer(fan.accessToken));
    expect(context.status).to.equal(200);
    expect(context.body, 'thread context').to.deep.equal({ ancestors: [] });
  });

  it('refuses following, blocking or muting it, or liking, retweeting, bookmarking or replying to its tweets, with 404', async () => {
    for (const path of [
      `/users/${victim.id}/follow`,
      `/users/${victim.id}/block`,
      `/users/${victim.id}/mute`,
      `/tweets/${tweet.id}/like`,
      `/tweets/${tweet.id}/retweet`,
      `/tweets/${tweet.id}/bookmark`,
    ]) {
      const response = await api().post(path).set(bearer(fan.accessToken));
      expectProblem(response, 404, 'not_found');
    }
    const answer = await api()
      .post('/tweets')
      .set(bearer(fan.accessToken))
      .send({ content: 'hello?', replyToId: tweet.id });
    expectProblem(answer, 404, 'not_found');
  });

  it('is idempotent, and the audit log lists the suspension once, with who and why', async () => {
    const again = await moderate(nodeB, admin, 'suspend', victim.id);
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    const entries = await auditOf(admin, victim.id);
    expect(entries.map((entry) => entry.action)).to.deep.equal(['suspend']);
    expect(entries[0]).to.deep.include({
      admin: { id: admin.id, username: admin.username },
      targetUser: { id: victim.id, username: victim.username },
      targetTweetId: null,
      reason: 'spam',
    });
  });

  it("unsuspending brings back the profile, the tweets and the follower's timeline, and sign-in", async () => {
    const response = await moderate(nodeA, admin, 'unsuspend', victim.id, { reason: 'appeal' });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body).to.include({ suspended: false });
    expect(await statusOf(follower, `/users/${victim.id}`)).to.equal(200);
    expect(await statusOf(follower, `/tweets/${tweet.id}`)).to.equal(200);
    expect(await idsAt(follower, `/users/${victim.id}/tweets`)).to.include(tweet.id);
    expect(await idsAt(fan, '/tweets/popular'), 'popular').to.include(tweet.id);
    await eventually(
      () => idsAt(follower, '/tweets'),
      (ids) => ids.includes(tweet.id),
      "the victim's tweet back in the follower's home timeline",
    );
    const signedIn = await login(victim);
    expect(signedIn.status, JSON.stringify(signedIn.body)).to.equal(200);
    const entries = await auditOf(admin, victim.id);
    expect(entries.map((entry) => [entry.action, entry.reason])).to.deep.equal([
      ['unsuspend', 'appeal'],
      ['suspend', 'spam'],
    ]);
  });
});
