import { expect } from 'chai';
import { redis } from '../../app/infra/redis';
import { VIEWER_FLAGS, keys, userKey } from '../../app/cache/keys';
import { api, bearer, registerUser } from '../helpers/http';

describe('GET /tweets rendered in Redis', () => {
  it('answers the very same bytes as the page assembled in Node from MySQL', async () => {
    const ada = await registerUser();
    const bob = await registerUser();
    const post = async (token: string, body: object) =>
      (await api().post('/tweets').set(bearer(token)).send(body).expect(201)).body as {
        id: string;
      };
    const first = await post(ada.accessToken, { content: 'First, with "quotes" and | pipes 🦄' });
    await post(ada.accessToken, { content: 'A reply to myself', replyToId: first.id });
    const bobs = await post(bob.accessToken, { content: 'Bob speaks' });
    await api().post(`/tweets/${first.id}/like`).set(bearer(ada.accessToken)).expect(200);
    await api().post(`/tweets/${bobs.id}/retweet`).set(bearer(ada.accessToken)).expect(200);
    await api().post(`/tweets/${bobs.id}/like`).set(bearer(bob.accessToken)).expect(200);
    await api().post(`/tweets/${bobs.id}/bookmark`).set(bearer(ada.accessToken)).expect(200);

    // Drop the cached pieces: the first read assembles the page in Node from MySQL and
    // fills the caches; the second finds every piece cached and is rendered by Redis.
    await api().get('/tweets').set(bearer(ada.accessToken)).expect(200); // builds the timeline
    const ids = await redis.zrevrangebyscore(keys.home(ada.id), '+inf', '(0');
    expect(ids).to.have.length(3);
    await redis.del(
      ...ids.map(keys.tweet),
      keys.tweet(bobs.id),
      ...VIEWER_FLAGS.map(({ prefix }) => userKey(prefix, ada.id)),
    );
    const assembled = await api().get('/tweets?limit=3').set(bearer(ada.accessToken)).expect(200);
    expect(await redis.exists(...ids.map(keys.tweet))).to.equal(ids.length);
    const rendered = await api().get('/tweets?limit=3').set(bearer(ada.accessToken)).expect(200);

    expect(rendered.text).to.equal(assembled.text);
    const [retweet, reply, original] = rendered.body.data;
    expect(retweet).to.include({ type: 'retweet' });
    expect(retweet.tweet).to.include({
      id: bobs.id,
      likesCount: 1,
      retweetsCount: 1,
      retweeted: true,
      liked: false,
      bookmarked: true,
    });
    expect(reply).to.include({ replyToId: first.id, liked: false, bookmarked: false });
    expect(original).to.include({
      id: first.id,
      likesCount: 1,
      repliesCount: 1,
      liked: true,
      bookmarked: false,
    });
    expect(original.content).to.equal('First, with "quotes" and | pipes 🦄');
    expect(rendered.body.nextCursor).to.equal(null);
  });

  it("moves a cached tweet's counters, and only them, when its content spells counters", async () => {
    const ada = await registerUser();
    const bob = await registerUser();
    const content = 'x,"likesCount":5,"retweetsCount":5,"repliesCount":5';
    const posted = await api()
      .post('/tweets')
      .set(bearer(ada.accessToken))
      .send({ content })
      .expect(201);
    const id = posted.body.id as string;
    await api().get('/tweets').set(bearer(ada.accessToken)).expect(200);
    expect(await redis.exists(keys.tweet(id)), 'the cached record').to.equal(1);

    await api().post(`/tweets/${id}/like`).set(bearer(bob.accessToken)).expect(200);
    await api().post(`/tweets/${id}/retweet`).set(bearer(bob.accessToken)).expect(200);
    const rendered = await api().get('/tweets').set(bearer(ada.accessToken)).expect(200);

    const [tweet] = rendered.body.data;
    expect(tweet).to.include({ id, content, likesCount: 1, retweetsCount: 1, repliesCount: 0 });
    await redis.del(keys.tweet(id));
    const assembled = await api().get('/tweets').set(bearer(ada.accessToken)).expect(200);
    expect(rendered.text).to.equal(assembled.text);
  });
});
