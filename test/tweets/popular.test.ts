import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { popularCursor } from '../../app/tweets/popular';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { postTweet, registerUsers } from '../helpers/socialGraph';
import { TWEET_KEYS, type Tweet } from './support';

interface Page {
  data: Tweet[];
  nextCursor: string | null;
}

describe('GET /tweets/popular', function () {
  this.timeout(30_000);

  let viewer: TestUser;
  let hot: Tweet;
  let warm: Tweet;
  let quiet: Tweet;
  let deleted: Tweet;

  const popular = (query = '') =>
    api().get(`/tweets/popular${query}`).set(bearer(viewer.accessToken));

  /** Every item, walking the pages `limit` at a time. */
  async function walk(limit: number): Promise<Tweet[]> {
    const items: Tweet[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 500; pages += 1) {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await popular(query);
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      const page = response.body as Page;
      expect(page.data.length).to.be.at.most(limit);
      items.push(...page.data);
      cursor = page.nextCursor;
      if (cursor === null) return items;
    }
    throw new Error('paging did not end');
  }

  // The ranking is a snapshot renewed at most every 30 s: engage first, read afterwards.
  before(async () => {
    const [author, ...fans] = await registerUsers(5);
    viewer = await registerUser();
    quiet = await postTweet(author, 'nobody cares');
    warm = await postTweet(author, 'somewhat liked');
    hot = await postTweet(author, 'everybody loves this');
    const engage = (fan: TestUser, tweet: Tweet, what: 'like' | 'retweet') =>
      api().post(`/tweets/${tweet.id}/${what}`).set(bearer(fan.accessToken)).expect(200);
    for (const fan of fans) await engage(fan, hot, 'like');
    for (const fan of fans.slice(0, 2)) await engage(fan, hot, 'retweet');
    await engage(fans[0], warm, 'like');
    await engage(viewer, hot, 'like');
    deleted = await postTweet(author, 'liked, then deleted');
    for (const fan of fans) await engage(fan, deleted, 'like');
    await api().delete(`/tweets/${deleted.id}`).set(bearer(author.accessToken)).expect(204);
    // A snapshot an earlier file's read made may be younger than 30 s: the first read here
    // must make one that counts this file's engagement.
    await redis.del(keys.popularCurrent());
  });

  it('answers {data, nextCursor} with tweet objects and counters as they are', async () => {
    const response = await popular('?limit=100').expect(200);
    expect(response.body).to.have.all.keys('data', 'nextCursor');
    const page = response.body as Page;
    expect(page.nextCursor).to.equal(null);
    const found = page.data.find((t) => t.id === hot.id);
    expect(found).to.have.all.keys(TWEET_KEYS);
    expect(found).to.include({ likesCount: 5, retweetsCount: 2, liked: true, retweeted: false });
  });

  it('ranks a more engaged tweet before a less engaged one and leaves out the ignored', async () => {
    const ids = (await walk(100)).map((t) => t.id);
    expect(ids).to.include(hot.id);
    expect(ids).to.include(warm.id);
    expect(ids.indexOf(hot.id)).to.be.below(ids.indexOf(warm.id));
    expect(ids).not.to.include(quiet.id);
    expect(ids, 'a deleted tweet').not.to.include(deleted.id);
  });

  it('walks every item with limit=1, none repeated and none skipped', async () => {
    const all = (await walk(100)).map((t) => t.id);
    const oneByOne = (await walk(1)).map((t) => t.id);
    expect(new Set(oneByOne).size, 'no repeats').to.equal(oneByOne.length);
    expect(oneByOne).to.deep.equal(all);
  });

  it('refuses a cursor it did not give out with 400 validation_failed naming query.cursor', async () => {
    for (const cursor of ['garbage', Buffer.from('c1:12').toString('base64url')]) {
      const response = await popular(`?cursor=${cursor}`);
      expectProblem(response, 400, 'validation_failed');
      expect((response.body.errors as { field: string }[]).map((e) => e.field)).to.deep.equal([
        'query.cursor',
      ]);
    }
  });

  it('refuses the cursor of an expired snapshot with 400, telling to start again', async () => {
    const first = (await popular('?limit=1').expect(200)).body as Page;
    expect(first.nextCursor).to.be.a('string');
    const at = popularCursor.decode(first.nextCursor!);
    await redis.del(keys.popularSnapshot(at!.snapshot)); // what its expiry does
    const response = await popular(`?cursor=${first.nextCursor}`);
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).to.deep.equal([
      { field: 'query.cursor', message: 'has expired; start again without a cursor' },
    ]);
  });

  it('refuses a limit outside 1-100 with 400 validation_failed naming query.limit', async () => {
    for (const limit of ['0', '101', 'abc']) {
      const response = await popular(`?limit=${limit}`);
      expectProblem(response, 400, 'validation_failed');
      expect((response.body.errors as { field: string }[]).map((e) => e.field)).to.deep.equal([
        'query.limit',
      ]);
    }
  });
});
