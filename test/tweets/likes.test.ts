import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { follow, postTweet, registerUsers } from '../helpers/socialGraph';
import { UNKNOWN_ID, homeTimeline, readTweet, tweetIn } from './support';

const like = (user: TestUser, id: string) =>
  api().post(`/tweets/${id}/like`).set(bearer(user.accessToken));
const unlike = (user: TestUser, id: string) =>
  api().delete(`/tweets/${id}/like`).set(bearer(user.accessToken));

describe('POST /tweets/:id/like and DELETE /tweets/:id/like', function () {
  this.timeout(30_000);

  let author: TestUser;
  before(async () => {
    author = await registerUser();
  });

  it('likes a tweet: {liked: true, likesCount: 1}', async () => {
    const fan = await registerUser();
    const tweet = await postTweet(author);
    const response = await like(fan, tweet.id).expect(200);
    expect(response.body).to.deep.equal({ liked: true, likesCount: 1 });
    expect((await readTweet(author, tweet.id)).likesCount).to.equal(1);
  });

  it('counts a second like from the same user once', async () => {
    const fan = await registerUser();
    const tweet = await postTweet(author);
    await like(fan, tweet.id).expect(200);
    const again = await like(fan, tweet.id).expect(200);
    expect(again.body).to.deep.equal({ liked: true, likesCount: 1 });
    expect((await readTweet(fan, tweet.id)).likesCount).to.equal(1);
  });

  it('takes a like back: {liked: false, likesCount: 0}, and again changes nothing', async () => {
    const fan = await registerUser();
    const tweet = await postTweet(author);
    await like(fan, tweet.id).expect(200);
    const first = await unlike(fan, tweet.id).expect(200);
    expect(first.body).to.deep.equal({ liked: false, likesCount: 0 });
    const second = await unlike(fan, tweet.id).expect(200);
    expect(second.body).to.deep.equal({ liked: false, likesCount: 0 });
    expect(await readTweet(fan, tweet.id)).to.include({ likesCount: 0, liked: false });
  });

  it('does not take away the likes of others when taking back one never given', async () => {
    const [fan, bystander] = await registerUsers(2);
    const tweet = await postTweet(author);
    await like(fan, tweet.id).expect(200);
    const response = await unlike(bystander, tweet.id).expect(200);
    expect(response.body).to.deep.equal({ liked: false, likesCount: 1 });
    expect((await readTweet(author, tweet.id)).likesCount).to.equal(1);
  });

  it('counts 25 users liking the same tweet at once exactly 25 times', async () => {
    const fans = await registerUsers(25);
    const tweet = await postTweet(author, 'popular opinion');
    const responses = await Promise.all(fans.map((fan) => like(fan, tweet.id)));
    for (const response of responses) {
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      expect(response.body.liked).to.equal(true);
    }
    const counts = responses.map((r) => r.body.likesCount as number).sort((a, b) => a - b);
    expect(counts, 'each like saw its own count').to.deep.equal(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect((await readTweet(author, tweet.id)).likesCount).to.equal(25);
  });

  it('shows liked: true to the liker (GET and home timeline) and false to anyone else', async () => {
    const [fan, other] = await registerUsers(2);
    await follow(fan, author);
    await follow(other, author);
    const tweet = await postTweet(author, 'like me');
    // Both timelines (and the viewers' cached likes) exist before the like.
    expect(tweetIn(await homeTimeline(fan), tweet.id)).to.include({ liked: false });
    expect(tweetIn(await homeTimeline(other), tweet.id)).to.include({ liked: false });

    await like(fan, tweet.id).expect(200);
    expect(await readTweet(fan, tweet.id)).to.include({ liked: true, likesCount: 1 });
    expect(tweetIn(await homeTimeline(fan), tweet.id)).to.include({ liked: true, likesCount: 1 });
    expect(await readTweet(other, tweet.id)).to.include({ liked: false, likesCount: 1 });
    expect(tweetIn(await homeTimeline(other), tweet.id)).to.include({
      liked: false,
      likesCount: 1,
    });
    expect((await readTweet(author, tweet.id)).liked).to.equal(false);

    await unlike(fan, tweet.id).expect(200);
    expect(await readTweet(fan, tweet.id)).to.include({ liked: false, likesCount: 0 });
    expect(tweetIn(await homeTimeline(fan), tweet.id)).to.include({ liked: false, likesCount: 0 });
  });

  it('shows liked: true to a liker who had not read anything before', async () => {
    const fan = await registerUser();
    await follow(fan, author);
    const tweet = await postTweet(author, 'first read after the like');
    await like(fan, tweet.id).expect(200);
    expect(tweetIn(await homeTimeline(fan), tweet.id)).to.include({ liked: true });
    expect((await readTweet(fan, tweet.id)).liked).to.equal(true);
  });

  it('lets an author like their own tweet', async () => {
    const tweet = await postTweet(author);
    const response = await like(author, tweet.id).expect(200);
    expect(response.body).to.deep.equal({ liked: true, likesCount: 1 });
    expect(tweetIn(await homeTimeline(author), tweet.id)).to.include({ liked: true });
  });

  it('answers 404 not_found for an unknown tweet, both ways', async () => {
    const fan = await registerUser();
    expectProblem(await like(fan, UNKNOWN_ID), 404, 'not_found');
    expectProblem(await unlike(fan, UNKNOWN_ID), 404, 'not_found');
    expectProblem(await like(fan, 'abc'), 404, 'not_found');
  });

  it('answers 404 not_found for a deleted tweet and keeps no like of it', async () => {
    const fan = await registerUser();
    const tweet = await postTweet(author);
    await like(fan, tweet.id).expect(200);
    await api().delete(`/tweets/${tweet.id}`).set(bearer(author.accessToken)).expect(204);
    expectProblem(await like(fan, tweet.id), 404, 'not_found');
  });
});
