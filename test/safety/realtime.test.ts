import { expect } from 'chai';
import { getQueue } from '../../app/queue/queues';
import type { ApiNode } from '../helpers/apiNode';
import { eventually } from '../helpers/poll';
import { follow, postTweet, registerUsers } from '../helpers/socialGraph';
import { deliveredByWorkers, storedTimelineHas, waitForQueuesIdle } from '../timeline/support';
import { type Cluster, engage, homeTimeline, startCluster, stopCluster } from '../realtime/cluster';
import { closeAllSockets, connect } from '../realtime/sockets';
import { act } from './support';

/** Runs `during` with the fanout queue paused: its jobs wait until it resumes. */
async function withFanoutPaused(during: () => Promise<void>): Promise<void> {
  const queue = getQueue('fanout');
  await queue.pause();
  try {
    await during();
    await eventually(
      () => queue.getJobCounts(),
      (counts) => (counts as { paused?: number }).paused !== 0,
      'fan-out jobs held by the pause',
    );
  } finally {
    await queue.resume();
  }
}

describe('blocks and mutes in the fan-out and realtime, across two API nodes', function () {
  this.timeout(60_000);
  let cluster: Cluster | undefined;
  let node1: ApiNode;
  let node2: ApiNode;

  before(async function () {
    cluster = await startCluster(2);
    [node1, node2] = cluster.nodes;
  });

  afterEach(closeAllSockets);

  after(async () => {
    await stopCluster(cluster);
  });

  it('delivers nothing that was in flight when the block committed', async () => {
    const [me, blocked, friend] = await registerUsers(3);
    // Their entries go through the (paused) fanout queue, not delivered at commit.
    await Promise.all([deliveredByWorkers(blocked.id), deliveredByWorkers(friend.id)]);
    await follow(me, blocked, node1.client());
    await follow(me, friend, node1.client());
    const older = await postTweet(blocked, 'older', { client: node2.client() });
    await waitForQueuesIdle();
    // The timeline exists (fan-out writes only existing ones) and holds the older tweet.
    expect((await homeTimeline(node1, me)).map((item) => item.id)).to.deep.equal([older.id]);
    const socket = await connect(node2.url, me.accessToken);

    let fresh = '';
    await withFanoutPaused(async () => {
      fresh = (await postTweet(blocked, 'in flight', { client: node2.client() })).id;
      await engage(node1, friend, 'retweet', older.id);
      await act(me, 'block', blocked, node1.client());
    });
    await waitForQueuesIdle();
    const marker = await postTweet(friend, 'after the block', { client: node2.client() });
    await socket.next('tweet:new', ({ tweet }) => tweet.id === marker.id);
    await waitForQueuesIdle();

    const pushed = socket.payloads('tweet:new').map(({ tweet }) => tweet.id);
    expect(pushed).to.deep.equal([marker.id]);
    expect(await storedTimelineHas(me.id, fresh)).to.equal(false);
    expect(await storedTimelineHas(me.id, older.id)).to.equal(false);
  });

  it("pushes a muted followee's tweets and notifications to nobody who muted them", async () => {
    const [me, muted, other] = await registerUsers(3);
    await follow(me, muted, node1.client());
    await follow(other, muted, node1.client());
    const mine = await postTweet(me, 'mine', { client: node1.client() });
    await act(me, 'mute', muted, node2.client());
    await homeTimeline(node1, me);
    await homeTimeline(node2, other);
    const mySocket = await connect(node1.url, me.accessToken);
    const otherSocket = await connect(node2.url, other.accessToken);

    await engage(node2, muted, 'like', mine.id);
    const posted = await postTweet(muted, 'muted news', { client: node2.client() });
    await otherSocket.next('tweet:new', ({ tweet }) => tweet.id === posted.id);
    const marker = await postTweet(me, 'marker', { client: node1.client() });
    await mySocket.next('tweet:new', ({ tweet }) => tweet.id === marker.id);
    await waitForQueuesIdle();

    expect(mySocket.payloads('tweet:new').map(({ tweet }) => tweet.id)).to.deep.equal([marker.id]);
    expect(mySocket.payloads('notification')).to.deep.equal([]);
    expect(await storedTimelineHas(me.id, posted.id)).to.equal(false);
    expect(await storedTimelineHas(other.id, posted.id)).to.equal(true);
  });
});
