import { expect } from 'chai';
import { decodeCursor } from '../../app/http/paging';
import { renderedAuthorPage } from '../../app/tweets/authorTweets';
import { store } from '../../app/cache/store';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { postTweet } from '../helpers/socialGraph';

/**
 * An author's page, warm, is rendered by Redis (the authorPage script) in one round trip, as
 * the home page is: the same bytes as the page assembled in Node, blocks applied the same way.
 */
describe('GET /users/:id/tweets rendered in Redis', () => {
  before(async () => {
    await store.ping(); // this process's cache connection, ready for renderedAuthorPage
  });

  const post = async (user: TestUser, content: string) => (await postTweet(user, content)).id;
  const page = (viewer: TestUser, author: TestUser, query = '') =>
    api().get(`/users/${author.id}/tweets${query}`).set(bearer(viewer.accessToken));
  const renderedJson = async (viewer: TestUser, author: TestUser, limit = 20, below?: string) => {
    const bytes = await renderedAuthorPage(viewer.id, author.id, below, limit, null);
    expect(bytes, 'rendered by Redis').to.be.instanceOf(Buffer);
    return JSON.parse(bytes!.toString()) as { data: { id: string }[]; nextCursor: string | null };
  };

  it('answers the bytes the Node path answers, without entries of users blocked either way', async () => {
    const [ada, bob, carol, vic] = await Promise.all(Array.from({ length: 4 }, registerUser));
    const first = await post(ada, 'First, with "quotes" and | pipes 🦄');
    const bobs = await post(bob, 'Bob speaks');
    const carols = await post(carol, 'Carol speaks');
    await api().post(`/tweets/${bobs}/retweet`).set(bearer(ada.accessToken)).expect(200);
    await api().post(`/tweets/${carols}/retweet`).set(bearer(ada.accessToken)).expect(200);
    await api().post(`/tweets/${first}/like`).set(bearer(vic.accessToken)).expect(200);
    await api().post(`/users/${carol.id}/block`).set(bearer(vic.accessToken)).expect(200);

    // The first read fills what the script needs (records, vic's flag and blocked sets) on
    // the Node path; the second is rendered by Redis.
    const assembled = await page(vic, ada).expect(200);
    const rendered = await page(vic, ada).expect(200);
    expect(rendered.text).to.equal(assembled.text);

    const json = await renderedJson(vic, ada);
    expect(JSON.stringify(json)).to.equal(rendered.text);
    // Carol blocked: ada's retweet of her tweet is left out; bob's retweet and ada's tweet stay.
    expect(json.data).to.have.length(2);
    const [retweet, own] = rendered.body.data;
    expect(retweet).to.include({ type: 'retweet' });
    expect(retweet.tweet).to.include({ id: bobs, retweetsCount: 1 });
    expect(own).to.include({ id: first, likesCount: 1, liked: true });
  });

  it('pages with the cursors of the Node path, and answers 404 to a viewer blocked by the author', async () => {
    const [ada, vic, eve] = await Promise.all(Array.from({ length: 3 }, registerUser));
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.unshift(await post(ada, `tweet ${i}`));
    await page(vic, ada).expect(200); // fills the caches
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 3; round += 1) {
      const json = await renderedJson(vic, ada, 2, cursor && decodeCursor(cursor));
      const viaHttp = await page(vic, ada, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(
        200,
      );
      expect(JSON.stringify(json)).to.equal(viaHttp.text);
      seen.push(...json.data.map((item) => item.id));
      cursor = json.nextCursor ?? undefined;
    }
    expect(seen).to.deep.equal(ids);
    expect(cursor).to.equal(undefined);

    await api().post(`/users/${eve.id}/block`).set(bearer(ada.accessToken)).expect(200);
    await page(eve, ada).expect(404); // loads eve's blocked set on the way
    await page(eve, ada).expect(404);
    const refused = await renderedAuthorPage(eve.id, ada.id, undefined, 20, null).catch(
      (error: unknown) => error,
    );
    expect(refused).to.include({ status: 404 });
  });
});
