import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import {
  follow,
  getPage,
  postTweet,
  readAllPages,
  registerUsers,
  type TweetBody,
} from '../helpers/socialGraph';
import { TWEET_KEYS, UNKNOWN_ID, homeTimeline, readTweet, retweetOf, tweetIn } from './support';

const bookmark = (user: TestUser, id: string) =>
  api().post(`/tweets/${id}/bookmark`).set(bearer(user.accessToken));
const unbookmark = (user: TestUser, id: string) =>
  api().delete(`/tweets/${id}/bookmark`).set(bearer(user.accessToken));
const bookmarkIds = async (user: TestUser, query = 'limit=100') =>
  (await getPage<TweetBody>(user, `/bookmarks?${query}`)).data.map((tweet) => tweet.id);

describe('POST /tweets/:id/bookmark and DELETE /tweets/:id/bookmark', function () {
  this.timeout(30_000);

  let author: TestUser;
  before(async () => {
    author = await registerUser();
  });

  it('bookmarks a tweet: {bookmarked: true}, and a second bookmark counts once', async () => {
    const reader = await registerUser();
    const tweet = await postTweet(author);
    expect((await bookmark(reader, tweet.id).expect(200)).body).to.deep.equal({ bookmarked: true });
    expect((await bookmark(reader, tweet.id).expect(200)).body).to.deep.equal({ bookmarked: true });
    expect(await bookmarkIds(reader)).to.deep.equal([tweet.id]);
    expect(await readTweet(reader, tweet.id)).to.include({ bookmarked: true });
  });

  it('takes a bookmark away: {bookmarked: false}, and again changes nothing', async () => {
    const reader = await registerUser();
    const tweet = await postTweet(author);
    await bookmark(reader, tweet.id).expect(200);
    expect((await unbookmark(reader, tweet.id).expect(200)).body).to.deep.equal({
      bookmarked: false,
    });
    expect((await unbookmark(reader, tweet.id).expect(200)).body).to.deep.equal({
      bookmarked: false,
    });
    expect(await bookmarkIds(reader)).to.deep.equal([]);
    expect(await readTweet(reader, tweet.id)).to.include({ bookmarked: false });
  });

  it('shows bookmarked: true to the bookmarker only (GET and home timeline)', async () => {
    const [reader, other] = await registerUsers(2);
    await follow(reader, author);
    await follow(other, author);
    const tweet = await postTweet(author, 'save me for later');
    // Both timelines (and the viewers' cached flag sets) exist before the bookmark.
    expect(tweetIn(await homeTimeline(reader), tweet.id)).to.include({ bookmarked: false });
    expect(tweetIn(await homeTimeline(other), tweet.id)).to.include({ bookmarked: false });

    await bookmark(reader, tweet.id).expect(200);
    const seen = tweetIn(await homeTimeline(reader), tweet.id)!;
    expect(seen).to.have.all.keys(TWEET_KEYS);
    expect(seen).to.include({ bookmarked: true, liked: false, retweeted: false });
    expect(await readTweet(reader, tweet.id)).to.include({ bookmarked: true });
    expect(tweetIn(await homeTimeline(other), tweet.id)).to.include({ bookmarked: false });
    expect(await readTweet(other, tweet.id)).to.include({ bookmarked: false });
    expect(await readTweet(author, tweet.id)).to.include({ bookmarked: false });

    await unbookmark(reader, tweet.id).expect(200);
    expect(tweetIn(await homeTimeline(reader), tweet.id)).to.include({ bookmarked: false });
    expect(await readTweet(reader, tweet.id)).to.include({ bookmarked: false });
  });

  it('shows bookmarked: true to a bookmarker who had read nothing before', async () => {
    const reader = await registerUser();
    await follow(reader, author);
    const tweet = await postTweet(author, 'first read after the bookmark');
    await bookmark(reader, tweet.id).expect(200);
    expect(tweetIn(await homeTimeline(reader), tweet.id)).to.include({ bookmarked: true });
  });

  it('bookmarks the original when given a retweet entry, flagged inside the retweet item', async () => {
    const [retweeter, reader] = await registerUsers(2);
    await follow(reader, retweeter);
    const tweet = await postTweet(author, 'retweeted, then bookmarked');
    await api().post(`/tweets/${tweet.id}/retweet`).set(bearer(retweeter.accessToken)).expect(200);
    const entry = retweetOf(await homeTimeline(reader), tweet.id)!;
    await bookmark(reader, entry.id).expect(200);
    expect(await bookmarkIds(reader)).to.deep.equal([tweet.id]);
    expect(retweetOf(await homeTimeline(reader), tweet.id)!.tweet.bookmarked).to.equal(true);
  });

  it('answers 404 not_found for an unknown or deleted tweet, and 401 without a token', async () => {
    const reader = await registerUser();
    expectProblem(await bookmark(reader, UNKNOWN_ID), 404, 'not_found');
    expectProblem(await unbookmark(reader, UNKNOWN_ID), 404, 'not_found');
    expectProblem(await bookmark(reader, 'abc'), 404, 'not_found');
    const tweet = await postTweet(author);
    await api().delete(`/tweets/${tweet.id}`).set(bearer(author.accessToken)).expect(204);
    expectProblem(await bookmark(reader, tweet.id), 404, 'not_found');
    expect((await api().post(`/tweets/${UNKNOWN_ID}/bookmark`)).status).to.equal(401);
  });
});

describe('GET /bookmarks', function () {
  this.timeout(30_000);

  let author: TestUser;
  before(async () => {
    author = await registerUser();
  });

  it('lists your bookmarks newest bookmark first, not in posting order', async () => {
    const reader = await registerUser();
    const [first, second, third] = [
      await postTweet(author, 'one'),
      await postTweet(author, 'two'),
      await postTweet(author, 'three'),
    ];
    for (const tweet of [second, third, first]) await bookmark(reader, tweet.id).expect(200);
    const page = await getPage<TweetBody>(reader, '/bookmarks');
    expect(page.data.map((t) => t.id)).to.deep.equal([first.id, third.id, second.id]);
    expect(page.nextCursor).to.equal(null);
    for (const tweet of page.data) {
      expect(tweet).to.have.all.keys(TWEET_KEYS);
      expect(tweet.bookmarked).to.equal(true);
    }
  });

  it('is private: another user sees only their own (empty) list', async () => {
    const [reader, other] = await registerUsers(2);
    const tweet = await postTweet(author);
    await bookmark(reader, tweet.id).expect(200);
    expect(await bookmarkIds(other)).to.deep.equal([]);
    expectProblem(await api().get('/bookmarks'), 401, 'unauthorized');
  });

  it('pages without skipping or repeating, while a bookmark is added between reads', async () => {
    const reader = await registerUser();
    const tweets: TweetBody[] = [];
    for (let i = 0; i < 7; i += 1) tweets.push(await postTweet(author, `bookmark ${i}`));
    for (const tweet of tweets) await bookmark(reader, tweet.id).expect(200);
    const firstPage = await getPage<TweetBody>(reader, '/bookmarks?limit=3');
    expect(firstPage.data.map((t) => t.id)).to.deep.equal(
      tweets
        .slice(4)
        .reverse()
        .map((t) => t.id),
    );
    // A new bookmark arrives at the top; the pages already handed out are unaffected.
    const late = await postTweet(author, 'bookmarked between two page reads');
    await bookmark(reader, late.id).expect(200);
    const rest = await readAllPages<TweetBody>(reader, '/bookmarks', 3, firstPage.nextCursor);
    const seen = [...firstPage.data, ...rest.flat()].map((t) => t.id);
    expect(seen).to.deep.equal(tweets.map((t) => t.id).reverse());
    expect(await bookmarkIds(reader, 'limit=1')).to.deep.equal([late.id]);
  });

  it('drops a deleted tweet from the list', async () => {
    const reader = await registerUser();
    const [kept, doomed] = [await postTweet(author, 'kept'), await postTweet(author, 'doomed')];
    await bookmark(reader, kept.id).expect(200);
    await bookmark(reader, doomed.id).expect(200);
    await api().delete(`/tweets/${doomed.id}`).set(bearer(author.accessToken)).expect(204);
    expect(await bookmarkIds(reader)).to.deep.equal([kept.id]);
  });

  it('answers 400 validation_failed for a bad limit or a cursor it did not give out', async () => {
    const reader = await registerUser();
    const bad = (query: string) => api().get(`/bookmarks?${query}`).set(bearer(reader.accessToken));
    expectProblem(await bad('limit=0'), 400, 'validation_failed');
    expectProblem(await bad('limit=101'), 400, 'validation_failed');
    expectProblem(await bad('cursor=not-a-cursor'), 400, 'validation_failed');
    expectProblem(await bad(`cursor=${'x'.repeat(5000)}`), 400, 'validation_failed');
  });
});
