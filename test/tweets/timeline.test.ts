import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { createTweet, createUser } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';
import { follow, postTweet } from '../helpers/socialGraph';
import { type TimelineItem } from './support';

interface Page {
  data: TimelineItem[];
  nextCursor: string | null;
}

describe('GET /tweets (home timeline)', () => {
  let reader: TestUser;
  before(async () => {
    reader = await registerUser();
  });

  const timeline = (user: TestUser, query = '') =>
    api().get(`/tweets${query}`).set(bearer(user.accessToken));

  it('shows your own tweets and those of whom you follow, newest first', async () => {
    const [followed, stranger] = [await registerUser(), await registerUser()];
    await follow(reader, followed);
    const posted = [
      await postTweet(reader, 'mine, first'),
      await postTweet(followed, 'theirs, second'),
      await postTweet(reader, 'mine, third'),
    ];
    const unseen = await postTweet(stranger, 'not followed');
    const response = await timeline(reader).expect(200);
    const ids = (response.body as Page).data.map((item) => item.id);
    expect(ids.slice(0, 3)).to.deep.equal(posted.map((t) => t.id).reverse());
    expect(ids).not.to.include(unseen.id);
  });

  it('pages with limit and cursor, never repeating or skipping an item', async () => {
    const user = await createUser();
    const posted: string[] = [];
    for (let i = 0; i < 5; i += 1) posted.push(await createTweet(user, `tweet ${i}`));

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await timeline(user, query).expect(200)).body as Page;
      expect(page).to.have.all.keys('data', 'nextCursor');
      expect(page.data.length).to.be.at.most(2);
      seen.push(...page.data.map((item) => item.id));
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    expect(cursor, 'the last page says there is no more').to.equal(null);
    expect(seen).to.deep.equal([...posted].reverse());
  });

  it('answers 20 items by default', async () => {
    const user = await createUser();
    for (let i = 0; i < 21; i += 1) await createTweet(user, `tweet ${i}`);
    const page = (await timeline(user).expect(200)).body as Page;
    expect(page.data).to.have.length(20);
    expect(page.nextCursor).to.be.a('string');
  });

  it('refuses a limit outside 1-100 with 400 validation_failed naming query.limit', async () => {
    for (const limit of ['0', '101', 'abc', '1.5', '-1']) {
      const response = await timeline(reader, `?limit=${limit}`);
      expectProblem(response, 400, 'validation_failed');
      const fields = (response.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields, `limit=${limit}`).to.deep.equal(['query.limit']);
    }
  });

  it('accepts the bounds limit=1 and limit=100', async () => {
    for (const limit of ['1', '100']) await timeline(reader, `?limit=${limit}`).expect(200);
  });

  it('refuses a cursor it did not give out with 400 validation_failed naming query.cursor', async () => {
    const forged = Buffer.from('x1:12').toString('base64url');
    for (const cursor of ['garbage', forged, '%00%01']) {
      const response = await timeline(reader, `?cursor=${cursor}`);
      expectProblem(response, 400, 'validation_failed');
      const fields = (response.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields, `cursor=${cursor}`).to.deep.equal(['query.cursor']);
    }
  });

  it('names both fields when limit and cursor are both bad', async () => {
    const response = await timeline(reader, '?limit=0&cursor=garbage');
    expectProblem(response, 400, 'validation_failed');
    const fields = (response.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).to.have.members(['query.limit', 'query.cursor']);
  });

  it('refuses a caller without a token with 401 unauthorized', async () => {
    expectProblem(await api().get('/tweets'), 401, 'unauthorized');
  });
});
