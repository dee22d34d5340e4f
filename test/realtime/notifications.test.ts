import { expect } from 'chai';
import type { ApiNode } from '../helpers/apiNode';
import type { NotificationJson } from '../../app/notifications/schemas';
import type { TestUser } from '../helpers/http';
import { follow, registerUsers, postTweet } from '../helpers/socialGraph';
import { type Cluster, engage, notifications, startCluster, stopCluster } from './cluster';
import { type Client, closeAllSockets, connect } from './sockets';

describe('notification events across two API nodes', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  let node1: ApiNode;
  let node2: ApiNode;
  let recipient: TestUser;
  let actor: TestUser;
  let recipientSocket: Client;

  before(async function () {
    this.timeout(60_000);
    cluster = await startCluster(2);
    [node1, node2] = cluster.nodes;
  });

  beforeEach(async () => {
    [recipient, actor] = await registerUsers(2);
    recipientSocket = await connect(node1.url, recipient.accessToken);
  });

  afterEach(closeAllSockets);

  after(async () => {
    await stopCluster(cluster);
  });

  /** The pushed notification of `type`, after checking it is the one GET /notifications lists. */
  async function pushedAndListed(type: NotificationJson['type']): Promise<NotificationJson> {
    const { notification } = await recipientSocket.next(
      'notification',
      ({ notification: n }) => n.type === type,
    );
    const listed = (await notifications(node2, recipient)).find((n) => n.id === notification.id);
    expect(listed, `notification ${notification.id} in GET /notifications`).to.not.equal(undefined);
    expect(notification).to.deep.equal(listed);
    return notification;
  }

  const actorSummary = () => ({
    id: actor.id,
    username: actor.username,
    displayName: actor.username,
  });

  it('pushes a follow to the followed user, as GET /notifications lists it', async () => {
    await follow(actor, recipient, node2.client());

    const notification = await pushedAndListed('follow');
    expect(notification).to.have.all.keys('id', 'type', 'actor', 'createdAt', 'read');
    expect(notification).to.deep.include({ type: 'follow', actor: actorSummary(), read: false });
  });

  it("pushes a like of the user's tweet, with the tweet", async () => {
    const tweet = await postTweet(recipient, 'like me', { client: node1.client() });
    await engage(node2, actor, 'like', tweet.id);

    const notification = await pushedAndListed('like');
    expect(notification).to.deep.include({
      type: 'like',
      actor: actorSummary(),
      tweet: { ...tweet, likesCount: 1 },
      read: false,
    });
  });

  it("pushes a retweet of the user's tweet, with the tweet", async () => {
    const tweet = await postTweet(recipient, 'share me', { client: node1.client() });
    await engage(node2, actor, 'retweet', tweet.id);

    const notification = await pushedAndListed('retweet');
    expect(notification).to.deep.include({
      type: 'retweet',
      actor: actorSummary(),
      tweet: { ...tweet, retweetsCount: 1 },
    });
  });

  it("pushes a reply to the user's tweet, with the reply", async () => {
    const tweet = await postTweet(recipient, 'answer me', { client: node1.client() });
    const reply = await postTweet(actor, 'here is my answer', {
      replyToId: tweet.id,
      client: node2.client(),
    });

    const notification = await pushedAndListed('reply');
    expect(notification).to.deep.include({ type: 'reply', actor: actorSummary(), tweet: reply });
    expect(notification.tweet?.replyToId).to.equal(tweet.id);
  });

  it('pushes nothing to the actor, and only to the recipient', async () => {
    const actorSocket = await connect(node2.url, actor.accessToken);
    const tweet = await postTweet(recipient, 'like me too', { client: node1.client() });
    await engage(node2, actor, 'like', tweet.id);
    await pushedAndListed('like');

    // The actor's own later notification arrives after anything the like could have sent.
    await follow(recipient, actor, node1.client());
    const { notification } = await actorSocket.next('notification');
    expect(notification).to.deep.include({ type: 'follow' });
    expect(actorSocket.payloads('notification')).to.have.length(1);
  });
});
