import { expect } from 'chai';
import { notificationForPush } from '../../app/notifications/service';
import { evictTweets } from '../../app/tweets/cache';
import { createUser, createUsers } from '../helpers/factories';
import { api, bearer, uniqueHandle } from '../helpers/http';
import {
  getPage,
  notificationsOf,
  postTweet,
  type NotificationBody,
  type TweetBody,
} from '../helpers/socialGraph';

const mentionsOf = async (user: { accessToken: string; id: string; username: string }) =>
  (await notificationsOf(user as never)).filter((n) => n.type === 'mention');

describe('mentions', () => {
  it('list the mentioned accounts in the tweet, with code-point offsets; unknown names stay text', async () => {
    const [author, ada] = await createUsers(2);
    const content = `😀 hi @${ada.username.toUpperCase()} and @nobody_here_x #Chirp`;
    const tweet = await postTweet(author, content);
    const at = [...content].indexOf('@');
    expect(tweet.entities).to.deep.equal({
      mentions: [
        { id: ada.id, username: ada.username, start: at, end: at + 1 + ada.username.length },
      ],
      hashtags: [{ tag: 'chirp', start: [...content].length - 6, end: [...content].length }],
    });
    // The same from the cache (second read) and in the author's timeline.
    const read = await api().get(`/tweets/${tweet.id}`).set(bearer(author.accessToken));
    expect(read.body.entities).to.deep.equal(tweet.entities);
    const page = await getPage<TweetBody>(author, `/users/${author.id}/tweets?limit=5`);
    expect(page.data.find((t) => t.id === tweet.id)?.entities).to.deep.equal(tweet.entities);
  });

  it('stay plain text for a name nobody held when posted, after it registers and the cache refills', async () => {
    const [author] = await createUsers(1);
    const { username: later } = uniqueHandle('l');
    const tweet = await postTweet(author, `@${later} hi`);
    expect(tweet.entities.mentions).to.deep.equal([]);
    const laterUser = await createUser({ username: later });
    await evictTweets([tweet.id]);
    const cold = await api().get(`/tweets/${tweet.id}`).set(bearer(author.accessToken));
    expect(cold.status).to.equal(200);
    expect((cold.body as TweetBody).entities.mentions).to.deep.equal([]);
    const warm = await api().get(`/tweets/${tweet.id}`).set(bearer(laterUser.accessToken));
    expect((warm.body as TweetBody).entities.mentions).to.deep.equal([]);
    expect(await mentionsOf(laterUser)).to.deep.equal([]);
  });

  it('still list a mentioned account after the cached record is dropped and filled again', async () => {
    const [author, ada] = await createUsers(2);
    const tweet = await postTweet(author, `hello @${ada.username} #Again`);
    await evictTweets([tweet.id]);
    const cold = await api().get(`/tweets/${tweet.id}`).set(bearer(author.accessToken));
    expect((cold.body as TweetBody).entities).to.deep.equal(tweet.entities);
    expect(tweet.entities.mentions).to.deep.equal([
      { id: ada.id, username: ada.username, start: 6, end: 7 + ada.username.length },
    ]);
  });

  it('list a self-mention in the tweet without notifying its author', async () => {
    const [author] = await createUsers(1);
    const tweet = await postTweet(author, `note to @${author.username}`);
    expect(tweet.entities.mentions.map((m) => m.id)).to.deep.equal([author.id]);
    await evictTweets([tweet.id]);
    const cold = await api().get(`/tweets/${tweet.id}`).set(bearer(author.accessToken));
    expect((cold.body as TweetBody).entities.mentions.map((m) => m.id)).to.deep.equal([author.id]);
    expect(await mentionsOf(author)).to.deep.equal([]);
  });

  it('notify each mentioned user once per tweet, never the author, with a realtime push', async () => {
    const [author, ada, bob] = await createUsers(3);
    const tweet = await postTweet(
      author,
      `@${ada.username} @${bob.username} @${ada.username} and me @${author.username}`,
    );

    for (const user of [ada, bob]) {
      const listed = await mentionsOf(user);
      expect(listed, `${user.username}'s mentions`).to.have.length(1);
      expect(listed[0]).to.deep.include({ type: 'mention', read: false });
      expect(listed[0].actor.id).to.equal(author.id);
      expect(listed[0].tweet?.id).to.equal(tweet.id);
      expect(listed[0].tweet?.entities.mentions).to.have.length(4);
      // The realtime push (the existing push job, queued with the row) shows what the list shows.
      const push = await notificationForPush(listed[0].id);
      expect(push?.userId).to.equal(user.id);
      expect(push?.notification).to.deep.equal(listed[0]);
    }
    expect(await mentionsOf(author)).to.deep.equal([]);
  });

  it('notify at most the first 10 mentioned users of one tweet', async () => {
    const [author, ...mentioned] = await createUsers(13);
    await postTweet(author, mentioned.map((u) => `@${u.username}`).join(' '));
    const counts = await Promise.all(mentioned.map(async (u) => (await mentionsOf(u)).length));
    expect(counts).to.deep.equal([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('are gone with the tweet that made them', async () => {
    const [author, ada] = await createUsers(2);
    const tweet = await postTweet(author, `hey @${ada.username}`);
    expect(await mentionsOf(ada)).to.have.length(1);
    const removed = await api().delete(`/tweets/${tweet.id}`).set(bearer(author.accessToken));
    expect(removed.status).to.equal(204);
    expect(await mentionsOf(ada)).to.deep.equal([]);
  });
});

describe('GET /notifications?type=', () => {
  it('lists only that type, paged without skips or repeats across a new write', async () => {
    const [me, fan] = await createUsers(2);
    const mine = await postTweet(me, 'like this');
    const like = await api().post(`/tweets/${mine.id}/like`).set(bearer(fan.accessToken));
    expect(like.status).to.equal(200);
    const mentions: string[] = [];
    for (let i = 0; i < 5; i += 1) mentions.push((await postTweet(fan, `${i} @${me.username}`)).id);

    const first = await getPage<NotificationBody>(me, '/notifications?type=mention&limit=2');
    expect(first.data.map((n) => n.tweet?.id)).to.deep.equal([mentions[4], mentions[3]]);
    // A newer mention between pages neither shifts nor repeats the older ones.
    await postTweet(fan, `late @${me.username}`);
    const rest: NotificationBody[] = [];
    for (let cursor = first.nextCursor; cursor !== null;) {
      const page = await getPage<NotificationBody>(
        me,
        `/notifications?type=mention&limit=2&cursor=${encodeURIComponent(cursor)}`,
      );
      rest.push(...page.data);
      cursor = page.nextCursor;
    }
    expect(rest.map((n) => n.tweet?.id)).to.deep.equal([mentions[2], mentions[1], mentions[0]]);

    const likes = await getPage<NotificationBody>(me, '/notifications?type=like');
    expect(likes.data.map((n) => n.type)).to.deep.equal(['like']);
    expect((await getPage<NotificationBody>(me, '/notifications?type=follow')).data).to.deep.equal(
      [],
    );
  });

  it('answers 400 for a type that does not exist', async () => {
    const [me] = await createUsers(1);
    const response = await api().get('/notifications?type=poke').set(bearer(me.accessToken));
    expect(response.status).to.equal(400);
    expect(JSON.stringify(response.body)).to.include('query.type');
  });
});
