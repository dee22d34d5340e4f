import { expect } from 'chai';
import { api, bearer, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { sequelize } from '../../app/infra/db';
import { insertUsers } from '../bench/world';
import {
  createFollow,
  createFollowers,
  createTweet,
  createUser,
  createUsers,
} from '../helpers/factories';
import {
  engage,
  follow,
  getPage,
  postTweet,
  type Page,
  type TweetBody,
  type UserBody,
  unfollow,
} from '../helpers/socialGraph';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { userSearchCursor } from '../../app/search/schemas';
import { USER_SEARCH_CAP } from '../../app/search/service';

/** A word no other test's data holds: users and tweets of one test share it. */
const freshTag = () => `z${Math.random().toString(36).slice(2, 8)}`;

/** Every page of a search, `limit` at a time, from `cursor` (or the start). */
async function allPages<T>(
  viewer: TestUser,
  path: string,
  limit: number,
  cursor: string | null = null,
): Promise<T[]> {
  const seen: T[] = [];
  let next = cursor;
  for (let pages = 0; pages < 50; pages += 1) {
    const page: Page<T> = await getPage<T>(
      viewer,
      `${path}&limit=${limit}${next ? `&cursor=${encodeURIComponent(next)}` : ''}`,
    );
    seen.push(...page.data);
    next = page.nextCursor;
    if (next === null) return seen;
  }
  throw new Error(`${path} gave more than 50 pages`);
}

const q = (text: string) => encodeURIComponent(text);

describe('GET /search/users', function () {
  this.timeout(30_000);

  let viewer: TestUser;
  before(async () => {
    viewer = await createUser();
  });

  it('finds users by username or display-name prefix, in any case, each once', async () => {
    const tag = freshTag();
    const byName = await createUser({ username: `${tag}Ann` });
    const byDisplay = await createUser({ displayName: `${tag.toUpperCase()}ly Smith` });
    const byBoth = await createUser({ username: `${tag}_b`, displayName: `${tag} Both` });
    await createUser({ displayName: `Not ${tag}` }); // the tag, but not at the start
    await follow(viewer, byName);
    const page = await getPage<UserBody>(viewer, `/search/users?q=${q(tag.toUpperCase())}`);
    expect(page.data.map((u) => u.id).sort()).to.deep.equal(
      [byName.id, byDisplay.id, byBoth.id].sort(),
    );
    expect(page.data.find((u) => u.id === byName.id)).to.include({
      username: `${tag}Ann`,
      following: true,
    });
    expect(page.nextCursor).to.equal(null);
  });

  it('puts the best known first: most followers, then the newest account', async () => {
    const tag = freshTag();
    const quiet = await createUser({ username: `${tag}_q` });
    const famous = await createUser({ username: `${tag}_f` });
    const known = await createUser({ username: `${tag}_k` });
    const newer = await createUser({ username: `${tag}_n` });
    await createFollowers(famous, await createUsers(3));
    await createFollowers(known, await createUsers(1));
    const page = await getPage<UserBody>(viewer, `/search/users?q=${tag}`);
    expect(page.data.map((u) => u.id)).to.deep.equal([famous.id, known.id, newer.id, quiet.id]);
    expect(page.data[0].followersCount).to.equal(3);
  });

  it('pages without skipping or repeating while follower counts change between reads', async () => {
    const tag = freshTag();
    const users: TestUser[] = [];
    for (let i = 0; i < 7; i += 1) users.push(await createUser({ username: `${tag}_${i}` }));
    const fans = await createUsers(2);
    await createFollowers(users[2], fans);
    await createFollowers(users[5], fans.slice(0, 1));
    const ranking = [users[2], users[5], ...[6, 4, 3, 1, 0].map((i) => users[i])].map((u) => u.id);
    const first = await getPage<UserBody>(viewer, `/search/users?q=${tag}&limit=3`);
    expect(first.data.map((u) => u.id)).to.deep.equal(ranking.slice(0, 3));
    // Between the reads, through the API: the first user shown loses both followers (it
    // would now rank after the cut), the last-ranked user gains two (it would now rank
    // before the cut), and someone matching signs up.
    for (const fan of fans) await unfollow(fan, users[2]);
    for (const fan of [viewer, fans[0]]) await follow(fan, users[0]);
    const late = await createUser({ username: `${tag}_late` });
    const rest = await allPages<UserBody>(viewer, `/search/users?q=${tag}`, 3, first.nextCursor);
    const seen = [...first.data, ...rest].map((u) => u.id);
    expect(seen, 'the ranking of the first page, none skipped or repeated').to.deep.equal(ranking);
    // The counts shown are live; a fresh search ranks by them and finds the newcomer.
    expect(rest.find((u) => u.id === users[0].id)?.followersCount).to.equal(2);
    const fresh = await allPages<UserBody>(viewer, `/search/users?q=${tag}`, 100);
    expect(fresh.map((u) => u.id).slice(0, 4)).to.deep.equal([
      users[0].id,
      users[5].id,
      late.id,
      users[6].id,
    ]);
  });

  it(`pages through the first ${USER_SEARCH_CAP} matches, best known first`, async () => {
    const tag = freshTag();
    const many = await insertUsers(sequelize, tag, USER_SEARCH_CAP + 1);
    // The oldest match, last of all and so beyond the cap until it gains a follower.
    await createFollow(viewer, { id: many[0] });
    const all = await allPages<UserBody>(viewer, `/search/users?q=${tag}`, 100);
    expect(all).to.have.length(USER_SEARCH_CAP);
    expect(new Set(all.map((u) => u.id)).size).to.equal(USER_SEARCH_CAP);
    expect(all[0].id).to.equal(many[0]);
    expect(all[USER_SEARCH_CAP - 1].id).to.equal(many[2]);
  });

  it('takes % and _ as themselves, and answers an empty page when nobody matches', async () => {
    const tag = freshTag();
    await createUser({ username: `${tag}_x` });
    const none = await getPage<UserBody>(viewer, `/search/users?q=${q(`${tag}%`)}`);
    expect(none).to.deep.equal({ data: [], nextCursor: null });
    const underscore = await getPage<UserBody>(viewer, `/search/users?q=${q(`${tag}_`)}`);
    expect(underscore.data).to.have.length(1);
    expect((await getPage<UserBody>(viewer, `/search/users?q=${freshTag()}`)).data).to.deep.equal(
      [],
    );
  });
});

describe('GET /search/tweets', function () {
  this.timeout(30_000);

  let author: TestUser;
  let viewer: TestUser;
  before(async () => {
    [author, viewer] = await createUsers(2);
  });

  it('finds tweets holding every word, newest first, in any case, hydrated for the viewer', async () => {
    const tag = freshTag();
    const older = await postTweet(author, `The ${tag} crossed the savanna`);
    const newer = await postTweet(author, `Another ${tag.toUpperCase()} sighting, savanna again`);
    await postTweet(author, `A ${tag} in the zoo`);
    await engage(viewer, 'post', 'like', older.id);
    const both = await getPage<TweetBody>(viewer, `/search/tweets?q=${q(`${tag} SAVANNA`)}`);
    expect(both.data.map((t) => t.id)).to.deep.equal([newer.id, older.id]);
    expect(both.data[1]).to.include({ liked: true, likesCount: 1 });
    expect(both.data[0].author).to.include({ id: author.id });
    const all = await getPage<TweetBody>(viewer, `/search/tweets?q=${tag}`);
    expect(all.data).to.have.length(3);
  });

  it('leaves out retweet entries: a retweeted tweet is found once, as itself', async () => {
    const tag = freshTag();
    const tweet = await postTweet(author, `retweet me ${tag}`);
    await engage(viewer, 'post', 'retweet', tweet.id);
    const page = await getPage<TweetBody>(viewer, `/search/tweets?q=${tag}`);
    expect(page.data.map((t) => t.id)).to.deep.equal([tweet.id]);
    expect(page.data[0]).to.include({ retweeted: true, retweetsCount: 1 });
  });

  it('pages without skipping or repeating while new matches are posted between reads', async () => {
    const tag = freshTag();
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.push(await createTweet(author, `number ${i} of ${tag}`));
    const first = await getPage<TweetBody>(viewer, `/search/tweets?q=${tag}&limit=3`);
    expect(first.data.map((t) => t.id)).to.deep.equal([ids[6], ids[5], ids[4]]);
    const late = await postTweet(author, `late ${tag}`);
    const rest = await allPages<TweetBody>(viewer, `/search/tweets?q=${tag}`, 3, first.nextCursor);
    expect([...first.data, ...rest].map((t) => t.id)).to.deep.equal([...ids].reverse());
    const fresh = await getPage<TweetBody>(viewer, `/search/tweets?q=${tag}&limit=1`);
    expect(fresh.data.map((t) => t.id)).to.deep.equal([late.id]);
  });

  it('answers an empty page for no match, short words, stopwords and search operators', async () => {
    const tag = freshTag();
    await postTweet(author, `an ox and the ${tag}`);
    for (const text of [freshTag(), 'ox', 'a', 'the', 'the of with', '"(*)"', '+-<>~@']) {
      const page = await getPage<TweetBody>(viewer, `/search/tweets?q=${q(text)}`);
      expect(page, text).to.deep.equal({ data: [], nextCursor: null });
    }
    // Operators typed by the user are only punctuation: the words still count.
    const found = await getPage<TweetBody>(viewer, `/search/tweets?q=${q(`-${tag}* "ox`)}`);
    expect(found.data).to.have.length(1);
  });
});

describe('Search input', () => {
  let viewer: TestUser;
  before(async () => {
    viewer = await createUser();
  });

  for (const path of ['/search/users', '/search/tweets']) {
    it(`${path}: a missing, blank or 5,000-character q is a 400 validation problem`, async () => {
      for (const query of ['', '?q=', `?q=${q('   ')}`, `?q=${'x'.repeat(5000)}`]) {
        const response = await api().get(`${path}${query}`).set(bearer(viewer.accessToken));
        expectProblem(response, 400, 'validation_failed');
      }
      const hundred = await api()
        .get(`${path}?q=${'x'.repeat(100)}`)
        .set(bearer(viewer.accessToken));
      expect(hundred.status).to.equal(200);
    });

    it(`${path}: asks for a token (401)`, async () => {
      expectProblem(await api().get(`${path}?q=abc`), 401, 'unauthorized');
    });
  }

  it("refuses one search's cursor on the other (400)", async () => {
    const tag = freshTag();
    await createUser({ username: `${tag}_1` });
    await createUser({ username: `${tag}_2` });
    const users = await getPage<UserBody>(viewer, `/search/users?q=${tag}&limit=1`);
    expect(users.nextCursor).to.be.a('string');
    const response = await api()
      .get(`/search/tweets?q=${tag}&cursor=${users.nextCursor}`)
      .set(bearer(viewer.accessToken));
    expectProblem(response, 400, 'validation_failed');
    const popular = await api()
      .get(`/tweets/popular?cursor=${users.nextCursor}`)
      .set(bearer(viewer.accessToken));
    expectProblem(popular, 400, 'validation_failed');
  });

  describe('a user search cursor', () => {
    let tag: string;
    let cursor: string;
    const cursorErrors = async (query: string) => {
      const response = await api().get(`/search/users?${query}`).set(bearer(viewer.accessToken));
      expectProblem(response, 400, 'validation_failed');
      return response.body.errors as { field: string; message: string }[];
    };

    beforeEach(async () => {
      tag = freshTag();
      await createUser({ username: `${tag}_1` });
      await createUser({ username: `${tag}_2` });
      const first = await getPage<UserBody>(viewer, `/search/users?q=${tag}&limit=1`);
      cursor = first.nextCursor!;
    });

    it('is refused with 400 once its ranking expired, telling to start again', async () => {
      await redis.del(keys.userSearchSnapshot(userSearchCursor.decode(cursor)!.snapshot));
      expect(await cursorErrors(`q=${tag}&cursor=${cursor}`)).to.deep.equal([
        { field: 'query.cursor', message: 'has expired; start again without a cursor' },
      ]);
    });

    it('is refused with 400 when given with another q', async () => {
      expect(await cursorErrors(`q=${tag}_&cursor=${cursor}`)).to.deep.equal([
        {
          field: 'query.cursor',
          message: 'belongs to a search for another q; start again without a cursor',
        },
      ]);
    });

    it("is the only cursor it takes: another list's cursor is a 400", async () => {
      const author = await createUser();
      for (const content of ['liked by someone', 'liked too']) {
        await engage(viewer, 'post', 'like', (await postTweet(author, content)).id);
      }
      await redis.del(keys.popularCurrent());
      const popular = await getPage<TweetBody>(viewer, '/tweets/popular?limit=1');
      const tweets = await getPage<TweetBody>(author, `/users/${author.id}/tweets?limit=1`);
      for (const other of [popular.nextCursor, tweets.nextCursor]) {
        expect(other).to.be.a('string');
        expect(await cursorErrors(`q=${tag}&cursor=${other}`)).to.deep.equal([
          { field: 'query.cursor', message: 'is not a cursor this API gave out' },
        ]);
      }
    });
  });
});
