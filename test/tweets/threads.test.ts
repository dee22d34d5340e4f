import { expect } from 'chai';
import { createTweet, createUser } from '../helpers/factories';
import { api, bearer, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { engage, getPage, postTweet, readAllPages } from '../helpers/socialGraph';
import { UNKNOWN_ID, type Tweet } from './support';

const deleteTweet = async (user: TestUser, id: string) => {
  const response = await api().delete(`/tweets/${id}`).set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(204);
};

const getContext = (user: TestUser, id: string) =>
  api().get(`/tweets/${id}/context`).set(bearer(user.accessToken));

/** The ids of the ancestors GET /tweets/:id/context answers, in order. */
async function ancestorsOf(user: TestUser, id: string): Promise<string[]> {
  const response = await getContext(user, id);
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  expect(response.body).to.have.all.keys('ancestors');
  return (response.body as { ancestors: Tweet[] }).ancestors.map((tweet) => tweet.id);
}

/** A chain of `length` tweets by `author`, each replying to the one before; ids root first. */
async function chain(author: TestUser, length: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < length; i += 1) {
    ids.push(await createTweet(author, `level ${i}`, i === 0 ? {} : { replyToId: ids[i - 1] }));
  }
  return ids;
}

describe('GET /tweets/:id/replies', () => {
  let author: TestUser;
  let reader: TestUser;
  before(async () => {
    [author, reader] = await Promise.all([createUser(), createUser()]);
  });

  it('lists direct replies oldest first, without replies to replies or other tweets', async () => {
    const root = await createTweet(author, 'root');
    const first = await createTweet(reader, 'first', { replyToId: root });
    await createTweet(author, 'answer to first', { replyToId: first });
    const second = await createTweet(author, 'second', { replyToId: root });
    await createTweet(author, 'elsewhere');
    const page = await getPage<Tweet>(reader, `/tweets/${root}/replies`);
    expect(page.data.map((tweet) => tweet.id)).to.deep.equal([first, second]);
    expect(page.data.map((tweet) => tweet.content)).to.deep.equal(['first', 'second']);
    expect(page.data[0]).to.include({ replyToId: root, repliesCount: 1 });
    expect(page.nextCursor).to.equal(null);
  });

  it("shows the reader's like and the current counts of each reply", async () => {
    const root = await postTweet(author, 'like my replies');
    const reply = await postTweet(author, 'a reply', { replyToId: root.id });
    // Read once so the reply is cached before the like moves its counter.
    await getPage<Tweet>(reader, `/tweets/${root.id}/replies`);
    await engage(reader, 'post', 'like', reply.id);
    const [seen] = (await getPage<Tweet>(reader, `/tweets/${root.id}/replies`)).data;
    expect(seen).to.include({ id: reply.id, liked: true, likesCount: 1 });
    const [seenByAuthor] = (await getPage<Tweet>(author, `/tweets/${root.id}/replies`)).data;
    expect(seenByAuthor).to.include({ liked: false, likesCount: 1 });
  });

  it('pages without skipping or repeating a reply, with a reply posted between pages', async () => {
    const root = await createTweet(author, 'busy root');
    const early: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      early.push(await createTweet(reader, `reply ${i}`, { replyToId: root }));
    }
    const first = await getPage<Tweet>(reader, `/tweets/${root}/replies?limit=2`);
    expect(first.data.map((tweet) => tweet.id)).to.deep.equal(early.slice(0, 2));
    const late = await postTweet(author, 'late reply', { replyToId: root });
    const rest = await readAllPages<Tweet>(reader, `/tweets/${root}/replies`, 2, first.nextCursor);
    const all = [...first.data, ...rest.flat()].map((tweet) => tweet.id);
    expect(all).to.deep.equal([...early, late.id]);
  });

  it('answers an empty page for a tweet nobody answered', async () => {
    const root = await createTweet(author, 'alone');
    expect(await getPage<Tweet>(reader, `/tweets/${root}/replies`)).to.deep.equal({
      data: [],
      nextCursor: null,
    });
  });

  it('answers 404 not_found for an unknown tweet and for a deleted one', async () => {
    const replies = (id: string) =>
      api().get(`/tweets/${id}/replies`).set(bearer(reader.accessToken));
    expectProblem(await replies(UNKNOWN_ID), 404, 'not_found');
    const root = await createTweet(author, 'soon gone');
    await createTweet(reader, 'orphan to be', { replyToId: root });
    await deleteTweet(author, root);
    expectProblem(await replies(root), 404, 'not_found');
  });

  it('answers 400 validation_failed for a cursor it did not give out', async () => {
    const root = await createTweet(author, 'cursor check');
    for (const cursor of ['nonsense', Buffer.from('c1:abc').toString('base64url')]) {
      const response = await api()
        .get(`/tweets/${root}/replies?cursor=${cursor}`)
        .set(bearer(reader.accessToken));
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors[0]).to.include({ field: 'query.cursor' });
    }
  });

  it('answers 401 without a token, as GET /tweets/:id does', async () => {
    const root = await createTweet(author, 'members only');
    expectProblem(await api().get(`/tweets/${root}/replies`), 401, 'unauthorized');
    expectProblem(await api().get(`/tweets/${root}/context`), 401, 'unauthorized');
  });
});

describe('GET /tweets/:id/context', () => {
  let author: TestUser;
  let reader: TestUser;
  before(async () => {
    [author, reader] = await Promise.all([createUser(), createUser()]);
  });

  it('lists the tweets a reply answers, root first, as the reader sees them', async () => {
    const [a, b, c, d] = await chain(author, 4);
    await engage(reader, 'post', 'like', b);
    const response = await getContext(reader, d);
    expect(response.status).to.equal(200);
    const ancestors = (response.body as { ancestors: Tweet[] }).ancestors;
    expect(ancestors.map((tweet) => tweet.id)).to.deep.equal([a, b, c]);
    expect(ancestors[1]).to.include({ liked: true, likesCount: 1, replyToId: a });
    expect(await ancestorsOf(reader, a)).to.deep.equal([]);
  });

  it('skips deleted ancestors and goes on above them', async () => {
    const [a, b, c, d] = await chain(author, 4);
    await deleteTweet(author, b);
    expect(await ancestorsOf(reader, d)).to.deep.equal([a, c]);
    await deleteTweet(author, c);
    expect(await ancestorsOf(reader, d)).to.deep.equal([a]);
  });

  it('skips a deleted root', async () => {
    const [a, b, c] = await chain(author, 3);
    await deleteTweet(author, a);
    expect(await ancestorsOf(reader, c)).to.deep.equal([b]);
  });

  it('answers at most the nearest 40 ancestors, root first', async function () {
    this.timeout(60_000);
    const ids = await chain(author, 45);
    const last = ids[ids.length - 1];
    expect(await ancestorsOf(reader, last)).to.deep.equal(ids.slice(4, 44));
    // Deleted ones do not count against the 40: the walk goes one further up for each.
    await deleteTweet(author, ids[20]);
    expect(await ancestorsOf(reader, last)).to.deep.equal(
      ids.slice(3, 44).filter((id) => id !== ids[20]),
    );
  });

  it('answers 404 not_found for an unknown tweet and for a deleted one', async () => {
    expectProblem(await getContext(reader, UNKNOWN_ID), 404, 'not_found');
    const [, b] = await chain(author, 2);
    await deleteTweet(author, b);
    expectProblem(await getContext(reader, b), 404, 'not_found');
  });
});
