import { expect } from 'chai';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import type { TestUser } from '../helpers/http';
import { follow, postTweet, registerUsers } from '../helpers/socialGraph';
import { engage } from './cluster';
import { type Client, closeAllSockets, connect } from './sockets';

/**
 * A notification's push is made by the API node that committed its action, not by a job: it
 * reaches the recipient while no worker runs (a worker only pushes what the relay queued
 * because Redis was away at commit time; test/resilience covers that path).
 */
describe('notification pushes while no worker runs', function () {
  this.timeout(30_000);
  let node: ApiNode | undefined;
  let recipient: TestUser;
  let actor: TestUser;
  let socket: Client;

  before(async function () {
    this.timeout(60_000);
    node = await startApiNode();
  });

  beforeEach(async () => {
    [recipient, actor] = await registerUsers(2);
    socket = await connect(node!.url, recipient.accessToken);
  });

  afterEach(closeAllSockets);

  after(async () => {
    await node?.stop();
  });

  it('pushes a follow to the followed user', async () => {
    await follow(actor, recipient, node!.client());

    const { notification } = await socket.next(
      'notification',
      (p) => p.notification.type === 'follow',
    );
    expect(notification.actor.id).to.equal(actor.id);
  });

  it("pushes a like of the user's tweet, with the tweet and its new count", async () => {
    const tweet = await postTweet(recipient, 'like me, workers or not', { client: node!.client() });
    await engage(node!, actor, 'like', tweet.id);

    const { notification } = await socket.next(
      'notification',
      (p) => p.notification.type === 'like',
    );
    expect(notification.actor.id).to.equal(actor.id);
    expect(notification.tweet).to.deep.include({ id: tweet.id, likesCount: 1 });
  });
});
