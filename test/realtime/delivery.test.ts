import { expect } from 'chai';
import type { ApiNode } from '../helpers/apiNode';
import { follow, registerUsers, postTweet } from '../helpers/socialGraph';
import { waitForDelivery, waitForQueuesIdle } from '../timeline/support';
import { RETWEET_ITEM_KEYS, TWEET_KEYS } from '../tweets/support';
import {
  type Cluster,
  deleteTweet,
  engage,
  homeTimeline,
  startCluster,
  stopCluster,
} from './cluster';
import { closeAllSockets, connect } from './sockets';

describe('tweet:new and tweet:deleted across two API nodes', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  let node1: ApiNode;
  let node2: ApiNode;

  before(async function () {
    this.timeout(60_000);
    cluster = await startCluster(2);
    [node1, node2] = cluster.nodes;
  });

  afterEach(closeAllSockets);

  after(async () => {
    await stopCluster(cluster);
  });

  it("delivers an author's tweet to a follower on the other node, and to the author", async () => {
    const [author, follower] = await registerUsers(2);
    await follow(follower, author, node1.client());
    const followerSocket = await connect(node1.url, follower.accessToken);
    const authorSocket = await connect(node2.url, author.accessToken);

    const posted = await postTweet(author, 'hello from node 2', { client: node2.client() });

    const { tweet } = await followerSocket.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
    expect(tweet).to.have.all.keys(...TWEET_KEYS);
    expect(tweet).to.deep.equal(posted);
    expect(tweet).to.deep.include({
      author: { id: author.id, username: author.username, displayName: author.username },
      content: 'hello from node 2',
      likesCount: 0,
      retweetsCount: 0,
      repliesCount: 0,
      replyToId: null,
      liked: false,
      retweeted: false,
    });
    const own = await authorSocket.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
    expect(own.tweet).to.deep.equal(posted);
  });

  it('delivers to every socket of a follower, on both nodes', async () => {
    const [author, follower] = await registerUsers(2);
    await follow(follower, author, node2.client());
    const phone = await connect(node1.url, follower.accessToken);
    const laptop = await connect(node2.url, follower.accessToken);

    const posted = await postTweet(author, 'to all your devices', { client: node1.client() });

    for (const device of [phone, laptop]) {
      const { tweet } = await device.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
      expect(tweet).to.deep.equal(posted);
    }
  });

  it('sends nothing to a connected user who does not follow the author', async () => {
    const [author, stranger, friend] = await registerUsers(3);
    await follow(stranger, friend, node1.client());
    const strangerSocket = await connect(node1.url, stranger.accessToken);
    const authorSocket = await connect(node2.url, author.accessToken);

    const unrelated = await postTweet(author, 'not for strangers', { client: node2.client() });
    await authorSocket.next('tweet:new', ({ tweet }) => tweet.id === unrelated.id);
    await waitForQueuesIdle(); // every event of that tweet has been published

    // Published after everything above, on the same channel: it arrives after any of it.
    const followed = await postTweet(friend, 'for my followers', { client: node2.client() });
    await strangerSocket.next('tweet:new', ({ tweet }) => tweet.id === followed.id);
    expect(strangerSocket.payloads('tweet:new')).to.deep.equal([{ tweet: followed }]);
  });

  it('delivers a retweet by someone followed as a retweet item, as GET /tweets lists it', async () => {
    const [retweeter, follower, original] = await registerUsers(3);
    await follow(follower, retweeter, node1.client());
    const followerSocket = await connect(node1.url, follower.accessToken);
    const tweet = await postTweet(original, 'worth sharing', { client: node2.client() });

    await engage(node2, retweeter, 'retweet', tweet.id);

    const pushed = await followerSocket.next('tweet:new', ({ tweet: t }) => t.id !== tweet.id);
    expect(pushed.tweet).to.have.all.keys(...RETWEET_ITEM_KEYS);
    expect(pushed.tweet).to.deep.include({
      type: 'retweet',
      retweetedBy: {
        id: retweeter.id,
        username: retweeter.username,
        displayName: retweeter.username,
      },
      tweet: { ...tweet, retweetsCount: 1 },
    });
    const [listed] = await homeTimeline(node1, follower);
    expect(pushed.tweet).to.deep.equal(listed);
  });

  it('tells the author and followers who received a tweet that it was deleted', async () => {
    const [author, follower] = await registerUsers(2);
    await follow(follower, author, node2.client());
    const followerSocket = await connect(node1.url, follower.accessToken);
    const authorSocket = await connect(node2.url, author.accessToken);
    const posted = await postTweet(author, 'I will regret this', { client: node2.client() });
    await followerSocket.next('tweet:new', ({ tweet }) => tweet.id === posted.id);

    await deleteTweet(node1, author, posted.id);

    for (const socket of [followerSocket, authorSocket]) {
      const deleted = await socket.next('tweet:deleted', ({ id }) => id === posted.id);
      expect(deleted).to.deep.equal({ id: posted.id });
    }
  });

  it("tells a retweeter's followers when the original tweet is deleted", async () => {
    const [author, retweeter, follower] = await registerUsers(3);
    await follow(follower, retweeter, node1.client());
    const followerSocket = await connect(node1.url, follower.accessToken);
    const posted = await postTweet(author, 'shared, then gone', { client: node2.client() });
    await engage(node2, retweeter, 'retweet', posted.id);
    const { tweet: item } = await followerSocket.next('tweet:new');

    await deleteTweet(node2, author, posted.id);

    const deleted = await followerSocket.next('tweet:deleted');
    expect(deleted).to.deep.equal({ id: item.id });
    expect(await homeTimeline(node1, follower)).to.deep.equal([]);
  });

  describe('catching up after a disconnect', () => {
    it('shows the tweets posted while away in GET /tweets after reconnecting, then delivers live again', async () => {
      const [author, reader] = await registerUsers(2);
      await follow(reader, author, node1.client());
      const readerSocket = await connect(node1.url, reader.accessToken);
      const before = await postTweet(author, 'while you were here', { client: node2.client() });
      await readerSocket.next('tweet:new', ({ tweet }) => tweet.id === before.id);

      readerSocket.socket.disconnect();
      const missed = [
        await postTweet(author, 'while you were away, 1', { client: node2.client() }),
        await postTweet(author, 'while you were away, 2', { client: node2.client() }),
      ];
      for (const tweet of missed) await waitForDelivery(tweet.id);

      await readerSocket.reconnect();
      const timeline = await homeTimeline(node1, reader);
      expect(timeline.map((item) => item.id)).to.deep.equal([
        missed[1].id,
        missed[0].id,
        before.id,
      ]);
      expect(timeline[0]).to.deep.equal(missed[1]);

      const after = await postTweet(author, 'welcome back', { client: node2.client() });
      await readerSocket.next('tweet:new', ({ tweet }) => tweet.id === after.id);
      // Nothing was delivered to the socket while it was away.
      expect(readerSocket.payloads('tweet:new').map(({ tweet }) => tweet.id)).to.deep.equal([
        before.id,
        after.id,
      ]);
    });
  });
});
