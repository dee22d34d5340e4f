import { expect } from 'chai';
import { store } from '../../app/cache/store';
import { renderedEntries } from '../../app/tweets/visibility';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { postTweet } from '../helpers/socialGraph';

/**
 * Pages of entries by id (hashtags, search, bookmarks, popular, replies) are rendered by Redis in one
 * round trip once every piece is cached (the entriesPage script): the same bytes as the page
 * assembled in Node, users blocked either way left out the same way.
 */
describe('pages of entries rendered in Redis', () => {
  before(async () => {
    await store.ping(); // this process's cache connection, ready for renderedEntries
  });

  const post = async (user: TestUser, content: string) => (await postTweet(user, content)).id;
  const get = (viewer: TestUser, path: string) =>
    api().get(path).set(bearer(viewer.accessToken)).expect(200);

  it('answers the bytes the Node path answers on hashtag, search and bookmark pages', async () => {
    const [ada, bob, carol, vic] = await Promise.all(Array.from({ length: 4 }, registerUser));
    const word = `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const adas = await post(ada, `Ada on #${word} with "quotes" | pipes 🦄`);
    const bobs = await post(bob, `Bob on #${word}`);
    const carols = await post(carol, `Carol on #${word}`);
    await api().post(`/tweets/${carols}/retweet`).set(bearer(bob.accessToken)).expect(200);
    await api().post(`/tweets/${adas}/like`).set(bearer(vic.accessToken)).expect(200);
    for (const id of [adas, bobs])
      await api().post(`/tweets/${id}/bookmark`).set(bearer(vic.accessToken)).expect(200);
    await api().post(`/users/${carol.id}/block`).set(bearer(vic.accessToken)).expect(200);

    for (const path of [`/hashtags/${word}/tweets`, `/search/tweets?q=${word}`, '/bookmarks']) {
      const assembled = await get(vic, path); // fills the caches on the Node path
      const rendered = await get(vic, path);
      expect(rendered.text, path).to.equal(assembled.text);
    }
    const tagged = (await get(vic, `/hashtags/${word}/tweets`)).body.data as { id: string }[];
    expect(tagged.map((item) => item.id)).to.deep.equal([bobs, adas]); // carol's left out

    // Rendered by the script, in the order asked, carol's tweet left out.
    const bytes = await renderedEntries(vic.id, [carols, bobs, adas]);
    expect(bytes, 'rendered by Redis').to.be.instanceOf(Buffer);
    const items = JSON.parse(`[${bytes!.toString()}]`) as { id: string; liked: boolean }[];
    expect(items.map((item) => [item.id, item.liked])).to.deep.equal([
      [bobs, false],
      [adas, true],
    ]);
  });

  it("renders a replies page as the Node path does, and refuses it when the root's author blocks", async () => {
    const [ada, bob, carol, vic] = await Promise.all(Array.from({ length: 4 }, registerUser));
    const root = await post(ada, 'Ada asks | "why"? 🦄');
    const reply = (user: TestUser, content: string) =>
      api()
        .post('/tweets')
        .set(bearer(user.accessToken))
        .send({ content, replyToId: root })
        .expect(201)
        .then((res) => res.body.id as string);
    const bobs = await reply(bob, 'Bob answers');
    await reply(carol, 'Carol answers');
    const adas = await reply(ada, 'Ada again');
    await api().post(`/tweets/${bobs}/like`).set(bearer(vic.accessToken)).expect(200);
    await api().post(`/users/${carol.id}/block`).set(bearer(vic.accessToken)).expect(200);

    const path = `/tweets/${root}/replies?limit=2`;
    const assembled = await get(vic, path); // fills the caches on the Node path
    const rendered = await get(vic, path);
    expect(rendered.text).to.equal(assembled.text);
    expect((rendered.body.data as { id: string }[]).map((item) => item.id)).to.deep.equal([bobs]);
    const next = await get(vic, `${path}&cursor=${rendered.body.nextCursor as string}`);
    expect((next.body.data as { id: string }[]).map((item) => item.id)).to.deep.equal([adas]);

    const bytes = await renderedEntries(vic.id, [bobs], root);
    expect(bytes, 'rendered by Redis').to.be.instanceOf(Buffer);
    expect(JSON.parse(`[${bytes!.toString()}]`)[0]).to.include({ id: bobs, liked: true });

    await api().post(`/users/${vic.id}/block`).set(bearer(ada.accessToken)).expect(200);
    expect(await renderedEntries(vic.id, [bobs], root)).to.equal('owner');
    await api().get(path).set(bearer(vic.accessToken)).expect(404);
  });
});
