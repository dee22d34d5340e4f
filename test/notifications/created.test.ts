import { expect } from 'chai';
import type { TestUser } from '../helpers/http';
import { useWorker } from '../timeline/support';
import {
  engage,
  follow,
  notificationsOf,
  postTweet,
  registerUsers,
  settledNotifications,
  type NotificationBody,
} from '../helpers/socialGraph';

const actorOf = (user: TestUser) => ({
  id: user.id,
  username: user.username,
  displayName: user.username,
});

/** Checks the parts every notification shares: string id, ISO time, unread, the actor. */
function expectNotification(notification: NotificationBody, type: string, actor: TestUser): void {
  expect(notification.id)
    .to.be.a('string')
    .and.match(/^[1-9]\d*$/);
  expect(notification.type).to.equal(type);
  expect(notification.actor).to.deep.equal(actorOf(actor));
  expect(new Date(notification.createdAt).toISOString()).to.equal(notification.createdAt);
  expect(notification.read).to.equal(false);
}

describe('notifications of likes, retweets, replies and follows', function () {
  this.timeout(30_000);
  useWorker();

  it('tells the author once when someone likes their tweet', async () => {
    const [author, fan] = await registerUsers(2);
    const tweet = await postTweet(author, 'like me');
    await engage(fan, 'post', 'like', tweet.id);

    const [notification, ...others] = await settledNotifications(author, 1);
    expect(others).to.deep.equal([]);
    expect(notification).to.have.all.keys('id', 'type', 'actor', 'tweet', 'createdAt', 'read');
    expectNotification(notification, 'like', fan);
    expect(notification.tweet).to.include({ id: tweet.id, content: 'like me', likesCount: 1 });
    expect(await notificationsOf(fan), 'the actor hears nothing').to.deep.equal([]);
  });

  it('tells the author once when someone retweets their tweet, with the original', async () => {
    const [author, fan] = await registerUsers(2);
    const tweet = await postTweet(author, 'retweet me');
    await engage(fan, 'post', 'retweet', tweet.id);

    const [notification, ...others] = await settledNotifications(author, 1);
    expect(others).to.deep.equal([]);
    expectNotification(notification, 'retweet', fan);
    expect(notification.tweet).to.include({ id: tweet.id, content: 'retweet me' });
    expect(await notificationsOf(fan)).to.deep.equal([]);
  });

  it('tells the author once when someone replies, with the reply as the tweet', async () => {
    const [author, replier] = await registerUsers(2);
    const tweet = await postTweet(author, 'reply to me');
    const reply = await postTweet(replier, 'here is my reply', { replyToId: tweet.id });

    const [notification, ...others] = await settledNotifications(author, 1);
    expect(others).to.deep.equal([]);
    expectNotification(notification, 'reply', replier);
    expect(notification.tweet).to.include({
      id: reply.id,
      content: 'here is my reply',
      replyToId: tweet.id,
    });
    expect(await notificationsOf(replier)).to.deep.equal([]);
  });

  it('shows the tweet on each notification about it (a like and a retweet)', async () => {
    const [author, fan] = await registerUsers(2);
    const tweet = await postTweet(author, 'liked and retweeted');
    await engage(fan, 'post', 'like', tweet.id);
    await engage(fan, 'post', 'retweet', tweet.id);

    const notifications = await settledNotifications(author, 2);
    expect(notifications.map((n) => n.type)).to.have.members(['like', 'retweet']);
    for (const notification of notifications) {
      expect(notification.tweet, notification.type).to.include({
        id: tweet.id,
        likesCount: 1,
        retweetsCount: 1,
      });
    }
  });

  it('tells a user once when someone follows them, without a tweet', async () => {
    const [star, fan] = await registerUsers(2);
    await follow(fan, star);

    const [notification, ...others] = await settledNotifications(star, 1);
    expect(others).to.deep.equal([]);
    expect(notification).to.have.all.keys('id', 'type', 'actor', 'createdAt', 'read');
    expectNotification(notification, 'follow', fan);
    expect(await notificationsOf(fan)).to.deep.equal([]);
  });

  it('never notifies you of liking, retweeting or replying to your own tweet', async () => {
    const [author, fan] = await registerUsers(2);
    const tweet = await postTweet(author, 'all by myself');
    await engage(author, 'post', 'like', tweet.id);
    await engage(author, 'post', 'retweet', tweet.id);
    await postTweet(author, 'talking to myself', { replyToId: tweet.id });
    // Something that does notify, after them: once it is there, theirs would be too.
    await follow(fan, author);

    const notifications = await settledNotifications(author, 1);
    expect(notifications.map((n) => n.type)).to.deep.equal(['follow']);
  });

  it('notifies a like that was undone and done again only once', async () => {
    const [author, fan] = await registerUsers(2);
    const tweet = await postTweet(author, 'fickle');
    await engage(fan, 'post', 'like', tweet.id);
    await settledNotifications(author, 1);

    await engage(fan, 'delete', 'like', tweet.id);
    await engage(fan, 'post', 'like', tweet.id);
    await follow(fan, author);

    const notifications = await settledNotifications(author, 2);
    expect(notifications.map((n) => n.type)).to.deep.equal(['follow', 'like']);
  });
});
