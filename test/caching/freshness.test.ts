import { expect } from 'chai';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';

/** A tweet as `user` reads it through `node`. */
async function readTweet(node: ApiNode, user: TestUser, id: string) {
  const response = await node.client().get(`/tweets/${id}`).set(bearer(user.accessToken));
  return { status: response.status, body: response.body as { likesCount: number; liked: boolean } };
}

describe('Cached tweets across API nodes', function () {
  this.timeout(60_000);
  let nodes: ApiNode[] = [];

  before(async () => {
    nodes = await Promise.all([startApiNode(), startApiNode()]);
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  });

  it('shows a like answered by one node in a read on the other immediately after', async () => {
    const [a, b] = nodes;
    const author = await registerUser();
    const fan = await registerUser();
    const posted = await a
      .client()
      .post('/tweets')
      .set(bearer(author.accessToken))
      .send({ content: 'Count me' });
    const id = posted.body.id as string;
    // Warm the cache on both sides first: a stale cache is what this guards against.
    expect((await readTweet(b, fan, id)).body).to.include({ likesCount: 0, liked: false });
    expect((await readTweet(a, author, id)).body).to.include({ likesCount: 0 });

    await a.client().post(`/tweets/${id}/like`).set(bearer(fan.accessToken)).expect(200);
    expect((await readTweet(b, fan, id)).body).to.include({ likesCount: 1, liked: true });
    expect((await readTweet(b, author, id)).body).to.include({ likesCount: 1, liked: false });

    await b.client().delete(`/tweets/${id}/like`).set(bearer(fan.accessToken)).expect(200);
    expect((await readTweet(a, fan, id)).body).to.include({ likesCount: 0, liked: false });

    await a.client().delete(`/tweets/${id}`).set(bearer(author.accessToken)).expect(204);
    expect((await readTweet(b, fan, id)).status).to.equal(404);
  });
});

describe('GET /tweets/popular ranking', () => {
  it('weighs recent engagement more than the same engagement hours ago', async () => {
    const user = await registerUser();
    const post = async (content: string) =>
      (await api().post('/tweets').set(bearer(user.accessToken)).send({ content }).expect(201)).body
        .id as string;
    const older = await post('Liked a lot this morning');
    const recent = await post('Liked a little just now');
    const hour = Math.floor(Date.now() / 3_600_000);
    // Three engagements twelve hours ago weigh 3 x 0.5^2 = 0.75; two now weigh 2.
    await redis.zadd(keys.popularHour(hour - 12), 3, older);
    await redis.zadd(keys.popularHour(hour), 2, recent);
    await redis.del(keys.popularCurrent()); // no snapshot yet: this read makes a fresh one
    const page = await api()
      .get('/tweets/popular?limit=100')
      .set(bearer(user.accessToken))
      .expect(200);
    const ids = (page.body.data as { id: string }[]).map((tweet) => tweet.id);
    expect(ids).to.include.members([older, recent]);
    expect(ids.indexOf(recent)).to.be.below(ids.indexOf(older));
  });
});
