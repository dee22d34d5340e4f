import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import {
  engage,
  follow,
  getPage,
  postTweet,
  readAllPages,
  registerUsers,
  type TweetBody,
  type UserBody,
} from '../helpers/socialGraph';
import { TWEET_KEYS, UNKNOWN_ID } from './support';

const like = (user: TestUser, id: string) => engage(user, 'post', 'like', id);
const unlike = (user: TestUser, id: string) => engage(user, 'delete', 'like', id);
const likerIds = async (viewer: TestUser, tweetId: string) =>
  (await getPage<UserBody>(viewer, `/tweets/${tweetId}/likes?limit=100`)).data.map((u) => u.id);
const likedIds = async (viewer: TestUser, userId: string) =>
  (await getPage<TweetBody>(viewer, `/users/${userId}/likes?limit=100`)).data.map((t) => t.id);
const deleteTweet = (author: TestUser, id: string) =>
  api().delete(`/tweets/${id}`).set(bearer(author.accessToken)).expect(204);

describe('GET /tweets/:id/likes', function () {
  this.timeout(30_000);

  let author: TestUser;
  before(async () => {
    author = await registerUser();
  });

  it('lists who liked a tweet, newest like first, as users with whether you follow them', async () => {
    const [first, second, viewer] = await registerUsers(3);
    const tweet = await postTweet(author);
    await like(first, tweet.id);
    await like(second, tweet.id);
    await follow(viewer, first);
    const page = await getPage<UserBody>(viewer, `/tweets/${tweet.id}/likes`);
    expect(page.data.map((u) => u.id)).to.deep.equal([second.id, first.id]);
    expect(page.data[1]).to.include({ id: first.id, username: first.username, following: true });
    expect(page.data[0]).to.include({ following: false });
    expect(page.nextCursor).to.equal(null);
  });

  it('leaves out a like taken back, and a like given again moves to the top', async () => {
    const [first, second] = await registerUsers(2);
    const tweet = await postTweet(author);
    await like(first, tweet.id);
    await like(second, tweet.id);
    await unlike(second, tweet.id);
    expect(await likerIds(author, tweet.id)).to.deep.equal([first.id]);
    await unlike(first, tweet.id);
    await like(second, tweet.id);
    await like(first, tweet.id);
    expect(await likerIds(author, tweet.id)).to.deep.equal([first.id, second.id]);
  });

  it('pages without skipping or repeating, while someone likes it between reads', async () => {
    const fans = await registerUsers(7);
    const tweet = await postTweet(author, 'liked by many');
    for (const fan of fans) await like(fan, tweet.id);
    const firstPage = await getPage<UserBody>(author, `/tweets/${tweet.id}/likes?limit=3`);
    expect(firstPage.data).to.have.length(3);
    const late = await registerUser();
    await like(late, tweet.id);
    const rest = await readAllPages<UserBody>(
      author,
      `/tweets/${tweet.id}/likes`,
      3,
      firstPage.nextCursor,
    );
    const seen = [...firstPage.data, ...rest.flat()].map((u) => u.id);
    expect(seen).to.deep.equal(fans.map((f) => f.id).reverse());
    expect((await likerIds(author, tweet.id))[0]).to.equal(late.id);
  });

  it("lists the original's likers for a retweet entry's id", async () => {
    const [retweeter, fan] = await registerUsers(2);
    await follow(fan, retweeter);
    const tweet = await postTweet(author);
    await engage(retweeter, 'post', 'retweet', tweet.id);
    await like(fan, tweet.id);
    const timeline = await getPage<{ id: string; type?: string }>(fan, '/tweets?limit=100');
    const entry = timeline.data.find((item) => item.type === 'retweet')!;
    expect(await likerIds(fan, entry.id)).to.deep.equal([fan.id]);
  });

  it('answers 404 for an unknown or deleted tweet, 401 without a token', async () => {
    const viewer = await registerUser();
    const likes = (id: string) => api().get(`/tweets/${id}/likes`).set(bearer(viewer.accessToken));
    expectProblem(await likes(UNKNOWN_ID), 404, 'not_found');
    const tweet = await postTweet(author);
    await like(viewer, tweet.id);
    await deleteTweet(author, tweet.id);
    expectProblem(await likes(tweet.id), 404, 'not_found');
    expectProblem(await api().get(`/tweets/${UNKNOWN_ID}/likes`), 401, 'unauthorized');
  });

  it('answers 400 for a bad limit, or a cursor of another list', async () => {
    const [viewer, follower] = await registerUsers(2);
    await follow(follower, viewer);
    await follow(author, viewer);
    const tweet = await postTweet(author);
    const likes = (query: string) =>
      api().get(`/tweets/${tweet.id}/likes?${query}`).set(bearer(viewer.accessToken));
    expectProblem(await likes('limit=0'), 400, 'validation_failed');
    expectProblem(await likes('cursor=garbage'), 400, 'validation_failed');
    const followers = await getPage<UserBody>(viewer, `/users/${viewer.id}/followers?limit=1`);
    expect(followers.nextCursor).to.be.a('string');
    const foreign = encodeURIComponent(followers.nextCursor!);
    expectProblem(await likes(`cursor=${foreign}`), 400, 'validation_failed');
  });
});

describe('GET /users/:id/likes', function () {
  this.timeout(30_000);

  let author: TestUser;
  before(async () => {
    author = await registerUser();
  });

  it('lists the tweets a user liked, newest like first, flagged for the viewer', async () => {
    const [fan, viewer] = await registerUsers(2);
    const [older, newer] = [await postTweet(author, 'older'), await postTweet(author, 'newer')];
    await like(fan, newer.id);
    await like(fan, older.id);
    await like(viewer, newer.id);
    const page = await getPage<TweetBody>(viewer, `/users/${fan.id}/likes`);
    expect(page.data.map((t) => t.id)).to.deep.equal([older.id, newer.id]);
    for (const tweet of page.data) expect(tweet).to.have.all.keys(TWEET_KEYS);
    // The flags are the viewer's, not the liker's.
    expect(page.data[0]).to.include({ liked: false, likesCount: 1 });
    expect(page.data[1]).to.include({ liked: true, likesCount: 2 });
    expect(await likedIds(fan, fan.id)).to.deep.equal([older.id, newer.id]);
  });

  it('pages without skipping or repeating, while the user likes another between reads', async () => {
    const fan = await registerUser();
    const tweets: TweetBody[] = [];
    for (let i = 0; i < 7; i += 1) tweets.push(await postTweet(author, `like ${i}`));
    for (const tweet of tweets) await like(fan, tweet.id);
    const firstPage = await getPage<TweetBody>(author, `/users/${fan.id}/likes?limit=3`);
    const late = await postTweet(author, 'liked between two page reads');
    await like(fan, late.id);
    const rest = await readAllPages<TweetBody>(
      author,
      `/users/${fan.id}/likes`,
      3,
      firstPage.nextCursor,
    );
    const seen = [...firstPage.data, ...rest.flat()].map((t) => t.id);
    expect(seen).to.deep.equal(tweets.map((t) => t.id).reverse());
    expect((await likedIds(author, fan.id))[0]).to.equal(late.id);
  });

  it('drops a deleted tweet and a like taken back from the list', async () => {
    const fan = await registerUser();
    const [kept, doomed, unliked] = [
      await postTweet(author, 'kept'),
      await postTweet(author, 'doomed'),
      await postTweet(author, 'unliked'),
    ];
    for (const tweet of [kept, doomed, unliked]) await like(fan, tweet.id);
    await deleteTweet(author, doomed.id);
    await unlike(fan, unliked.id);
    expect(await likedIds(fan, fan.id)).to.deep.equal([kept.id]);
  });

  it('answers 404 for an unknown user, 400 for a bad cursor, 401 without a token', async () => {
    const viewer = await registerUser();
    const likes = (path: string) => api().get(path).set(bearer(viewer.accessToken));
    expectProblem(await likes(`/users/${UNKNOWN_ID}/likes`), 404, 'not_found');
    expectProblem(await likes(`/users/${viewer.id}/likes?limit=101`), 400, 'validation_failed');
    expectProblem(await likes(`/users/${viewer.id}/likes?cursor=Zm9v`), 400, 'validation_failed');
    expectProblem(await api().get(`/users/${viewer.id}/likes`), 401, 'unauthorized');
  });
});
