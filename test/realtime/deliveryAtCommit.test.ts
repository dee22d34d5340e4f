import { expect } from 'chai';
import { FANOUT_AT_COMMIT_MAX_FOLLOWERS } from '../../app/delivery/fanout';
import { getQueue } from '../../app/queue/queues';
import { deliveredByWorkers } from '../timeline/support';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import type { TestUser } from '../helpers/http';
import { follow, postTweet, registerUsers } from '../helpers/socialGraph';
import { type LaggingReplicaNode, startLaggingReplicaNode } from '../platform/laggingReplica';
import { homeTimeline } from './cluster';
import { type Client, closeAllSockets, connect } from './sockets';

/**
 * An API node delivers a new entry of an author with few followers itself, right after the
 * commit: into followers' home timelines and to their sockets, while no worker runs. An
 * author with more followers is left to the workers (docs/decisions/0019). Both read what the
 * commit wrote from the primary, never from a replica that may not have it yet.
 */
describe('delivery of a new tweet by the API node that committed it', function () {
  this.timeout(30_000);
  let node: ApiNode | undefined;

  before(async function () {
    this.timeout(60_000);
    node = await startApiNode();
  });

  afterEach(closeAllSockets);

  after(async () => {
    await node?.stop();
  });

  it('reaches followers of a small author, socket and home timeline, with no worker running', async () => {
    const [author, reader, other] = await registerUsers(3);
    await follow(reader, author, node!.client());
    await follow(other, author, node!.client());
    // A timeline already in Redis gets an entry only from a fan-out (a missing one would be
    // rebuilt from MySQL, tweet and all).
    expect(await homeTimeline(node!, reader)).to.deep.equal([]);
    const socket = await connect(node!.url, reader.accessToken);

    const tweet = await postTweet(author, 'delivered by the api node', { client: node!.client() });

    const { tweet: pushed } = await socket.next('tweet:new', (p) => p.tweet.id === tweet.id);
    expect(pushed).to.include({ content: 'delivered by the api node' });
    expect((await homeTimeline(node!, reader)).map((item) => item.id)).to.deep.equal([tweet.id]);
    expect((await homeTimeline(node!, other)).map((item) => item.id)).to.deep.equal([tweet.id]);
  });

  it(`leaves an author with over ${FANOUT_AT_COMMIT_MAX_FOLLOWERS} followers to the workers`, async () => {
    const [author, reader] = await registerUsers(2);
    await follow(reader, author, node!.client());
    await deliveredByWorkers(author.id);
    expect(await homeTimeline(node!, reader)).to.deep.equal([]);

    const tweet = await postTweet(author, 'for the workers', { client: node!.client() });

    // Queued for a worker (none runs here), and so not in the reader's timeline yet.
    const job = await getQueue('fanout').getJob(`fanout:${tweet.id}`);
    expect(job?.data).to.deep.equal({ entryId: tweet.id });
    await job?.remove();
    expect(await homeTimeline(node!, reader)).to.deep.equal([]);
  });
});

describe('delivery of a celebrity tweet (FANOUT_CELEBRITY_THRESHOLD=1)', function () {
  this.timeout(30_000);
  let node: ApiNode | undefined;

  before(async function () {
    this.timeout(60_000);
    node = await startApiNode({ FANOUT_CELEBRITY_THRESHOLD: '1' });
  });

  after(async () => {
    await node?.stop();
  });

  it('is left to the workers however few the followers (its delivery scans everyone online)', async () => {
    const [author, reader, other] = await registerUsers(3);
    await follow(reader, author, node!.client());
    await follow(other, author, node!.client());

    const tweet = await postTweet(author, 'a small celebrity', { client: node!.client() });

    const job = await getQueue('fanout').getJob(`fanout:${tweet.id}`);
    expect(job?.data).to.deep.equal({ entryId: tweet.id });
    await job?.remove();
  });
});

describe('pushes made at commit on an API node whose read replica lags', function () {
  this.timeout(30_000);
  let node: LaggingReplicaNode | undefined;
  let socket: Client;

  before(async function () {
    this.timeout(60_000);
    node = await startLaggingReplicaNode('push');
  });

  afterEach(closeAllSockets);

  after(async () => {
    await node?.stop();
  });

  async function account(prefix: string): Promise<TestUser> {
    const { id, accessToken } = await node!.register(prefix);
    return { id, accessToken } as TestUser;
  }

  it('pushes a follow notification the replica has not got', async () => {
    const [followed, follower] = [await account('pushed'), await account('pusher')];
    socket = await connect(node!.url, followed.accessToken);

    await node!.request().post(`/users/${followed.id}/follow`).set(auth(follower)).expect(200);

    const { notification } = await socket.next(
      'notification',
      (p) => p.notification.type === 'follow',
    );
    expect(notification.actor.id).to.equal(follower.id);
  });

  it('delivers a new tweet the replica has not got to a follower', async () => {
    const [author, reader] = [await account('author'), await account('reader')];
    await node!.request().post(`/users/${author.id}/follow`).set(auth(reader)).expect(200);
    socket = await connect(node!.url, reader.accessToken);

    const response = await node!
      .request()
      .post('/tweets')
      .set(auth(author))
      .send({ content: 'not on the replica' })
      .expect(201);

    const { tweet } = await socket.next('tweet:new', (p) => p.tweet.id === response.body.id);
    expect(tweet).to.include({ content: 'not on the replica' });
  });
});

const auth = (user: { accessToken: string }) => ({ Authorization: `Bearer ${user.accessToken}` });
