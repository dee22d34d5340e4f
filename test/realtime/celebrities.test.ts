import { expect } from 'chai';
import type { ApiNode } from '../helpers/apiNode';
import { follow, registerUsers, postTweet } from '../helpers/socialGraph';
import { storedTimelineHas, waitForDelivery, waitForQueuesIdle } from '../timeline/support';
import { type Cluster, homeTimeline, startCluster, stopCluster } from './cluster';
import { closeAllSockets, connect } from './sockets';

/** Twitter's delivery anchor (DESIGN.md): a follower online hears of a tweet within 5 s. */
const PROMPTLY_MS = 5000;

describe('tweet:new for celebrities (FANOUT_CELEBRITY_THRESHOLD=2)', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  let node: ApiNode;

  before(async function () {
    this.timeout(60_000);
    cluster = await startCluster(1, { FANOUT_CELEBRITY_THRESHOLD: '2' });
    [node] = cluster.nodes;
  });

  afterEach(closeAllSockets);

  after(async () => {
    await stopCluster(cluster);
  });

  it('delivers a celebrity tweet to every online follower, though no stored timeline gets it', async () => {
    const [celebrity, online, alsoOnline, offline, bystander] = await registerUsers(5);
    for (const follower of [online, alsoOnline, offline]) {
      await follow(follower, celebrity, node.client());
    }
    await waitForQueuesIdle();
    const sockets = [
      await connect(node.url, online.accessToken),
      await connect(node.url, alsoOnline.accessToken),
    ];
    const celebritySocket = await connect(node.url, celebrity.accessToken);
    const bystanderSocket = await connect(node.url, bystander.accessToken);

    const posted = await postTweet(celebrity, 'hello, fans', { client: node.client() });

    for (const socket of [...sockets, celebritySocket]) {
      const { tweet } = await socket.next(
        'tweet:new',
        ({ tweet: t }) => t.id === posted.id,
        PROMPTLY_MS,
      );
      expect(tweet).to.deep.equal(posted);
    }
    // Proof that the celebrity path ran: no follower's stored timeline holds the tweet...
    await waitForDelivery(posted.id);
    for (const follower of [online, alsoOnline, offline]) {
      expect(await storedTimelineHas(follower.id, posted.id), follower.username).to.equal(false);
    }
    // ...while the offline follower still finds it on reading.
    expect((await homeTimeline(node, offline)).map((item) => item.id)).to.deep.equal([posted.id]);

    // A connected non-follower heard nothing: their own later tweet is all they got.
    const own = await postTweet(bystander, 'just me', { client: node.client() });
    await bystanderSocket.next('tweet:new', ({ tweet }) => tweet.id === own.id);
    expect(bystanderSocket.payloads('tweet:new')).to.deep.equal([{ tweet: own }]);
  });
});
