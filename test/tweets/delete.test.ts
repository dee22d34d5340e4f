import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import type { RunningProcess } from '../helpers/processes';
import { expectProblem } from '../helpers/problems';
import { startWorker, stopWorker } from '../helpers/workers';
import { eventually } from '../helpers/poll';
import { follow, postTweet } from '../helpers/socialGraph';
import { UNKNOWN_ID, getTweet, homeTimeline, me, readTweet, retweetOf, tweetIn } from './support';

const deleteTweet = (user: TestUser, id: string) =>
  api().delete(`/tweets/${id}`).set(bearer(user.accessToken));

describe('GET /tweets/:id', () => {
  let user: TestUser;
  before(async () => {
    user = await registerUser();
  });

  it('answers 200 with the tweet, to its author and to anyone else', async () => {
    const other = await registerUser();
    const tweet = await postTweet(user, 'for everyone');
    expect(await readTweet(user, tweet.id)).to.deep.equal(tweet);
    const seen = await readTweet(other, tweet.id);
    expect(seen).to.include({ id: tweet.id, content: 'for everyone', liked: false });
    expect(seen.author.id).to.equal(user.id);
  });

  it('answers 404 not_found for an unknown id', async () => {
    expectProblem(await getTweet(user, UNKNOWN_ID), 404, 'not_found');
  });

  it('answers 404 not_found for an id that is not a number', async () => {
    for (const id of ['abc', '12abc', '0', '-5', '99999999999999999999999']) {
      expectProblem(await getTweet(user, id), 404, 'not_found');
    }
  });
});

describe('DELETE /tweets/:id', function () {
  this.timeout(30_000);

  let worker: RunningProcess | undefined;
  before(async () => {
    worker = await startWorker();
  });
  after(async () => {
    await stopWorker(worker);
  });

  it('refuses anyone but the author with 403 forbidden and keeps the tweet', async () => {
    const [author, stranger] = [await registerUser(), await registerUser()];
    const tweet = await postTweet(author, 'mine, not yours');
    expectProblem(await deleteTweet(stranger, tweet.id), 403, 'forbidden');
    expect((await readTweet(stranger, tweet.id)).content).to.equal('mine, not yours');
    expect((await me(author)).tweetsCount).to.equal(1);
  });

  it('deletes for the author with 204: GET answers 404 and tweetsCount goes back down', async () => {
    const author = await registerUser();
    const kept = await postTweet(author, 'kept');
    const tweet = await postTweet(author, 'regrettable');
    expect((await me(author)).tweetsCount).to.equal(2);

    const response = await deleteTweet(author, tweet.id);
    expect(response.status).to.equal(204);
    expect(response.text).to.equal('');
    expectProblem(await getTweet(author, tweet.id), 404, 'not_found');
    expect((await me(author)).tweetsCount).to.equal(1);
    expect((await readTweet(author, kept.id)).content).to.equal('kept');
  });

  it('answers 404 not_found for an unknown or already deleted tweet', async () => {
    const author = await registerUser();
    expectProblem(await deleteTweet(author, UNKNOWN_ID), 404, 'not_found');
    const tweet = await postTweet(author);
    await deleteTweet(author, tweet.id).expect(204);
    expectProblem(await deleteTweet(author, tweet.id), 404, 'not_found');
    expect((await me(author)).tweetsCount).to.equal(0);
  });

  it("takes the tweet out of the author's home timeline at once", async () => {
    const author = await registerUser();
    const tweet = await postTweet(author, 'here, then gone');
    expect(tweetIn(await homeTimeline(author), tweet.id)).to.exist;
    await deleteTweet(author, tweet.id).expect(204);
    const timeline = await homeTimeline(author);
    expect(timeline.map((item) => item.id)).not.to.include(tweet.id);
  });

  it("takes the tweet out of a follower's home timeline", async () => {
    const [author, follower] = [await registerUser(), await registerUser()];
    await follow(follower, author);
    await homeTimeline(follower); // the follower's timeline is built before the tweet exists
    const tweet = await postTweet(author, 'fanned out, then deleted');

    await eventually(
      async () => Boolean(tweetIn(await homeTimeline(follower), tweet.id)),
      Boolean,
      'the tweet reaches the follower',
    );
    await deleteTweet(author, tweet.id).expect(204);
    await eventually(
      async () => (await homeTimeline(follower)).every((item) => item.id !== tweet.id),
      Boolean,
      'the tweet leaves the follower',
    );
  });

  it('takes retweets of the deleted tweet away too', async () => {
    const [author, retweeter, follower] = [
      await registerUser(),
      await registerUser(),
      await registerUser(),
    ];
    await follow(follower, retweeter);
    await homeTimeline(follower);
    const tweet = await postTweet(author, 'retweeted, then deleted');
    await api().post(`/tweets/${tweet.id}/retweet`).set(bearer(retweeter.accessToken)).expect(200);
    const entry = retweetOf(await homeTimeline(retweeter), tweet.id);
    expect(entry, "the retweet in the retweeter's timeline").to.exist;
    await eventually(
      async () => Boolean(retweetOf(await homeTimeline(follower), tweet.id)),
      Boolean,
      'the retweet reaches the follower',
    );
    expect((await me(retweeter)).tweetsCount).to.equal(1);

    await deleteTweet(author, tweet.id).expect(204);
    expect(retweetOf(await homeTimeline(retweeter), tweet.id)).to.be.undefined;
    expectProblem(await getTweet(retweeter, entry!.id), 404, 'not_found');
    expect((await me(retweeter)).tweetsCount).to.equal(0);
    await eventually(
      async () => (await homeTimeline(follower)).every((item) => item.id !== entry!.id),
      Boolean,
      'the retweet leaves the follower',
    );
  });

  it("lowers the parent's repliesCount when a reply is deleted", async () => {
    const [author, replier] = [await registerUser(), await registerUser()];
    const parent = await postTweet(author, 'ask me anything');
    const reply = await postTweet(replier, 'why?', { replyToId: parent.id });
    await postTweet(replier, 'and why not?', { replyToId: parent.id });
    expect((await readTweet(author, parent.id)).repliesCount).to.equal(2);

    await deleteTweet(replier, reply.id).expect(204);
    expect((await readTweet(author, parent.id)).repliesCount).to.equal(1);
    expect((await me(replier)).tweetsCount).to.equal(1);
  });

  it('keeps the replies when their parent is deleted', async () => {
    const [author, replier] = [await registerUser(), await registerUser()];
    const parent = await postTweet(author, 'soon gone');
    const reply = await postTweet(replier, 'still here', { replyToId: parent.id });
    await deleteTweet(author, parent.id).expect(204);
    const read = await readTweet(replier, reply.id);
    expect(read).to.include({ content: 'still here', replyToId: parent.id });
  });

  it('undoes a retweet when the retweeter deletes its retweet entry', async () => {
    const [author, retweeter] = [await registerUser(), await registerUser()];
    const tweet = await postTweet(author, 'retweet, then delete the entry');
    await api().post(`/tweets/${tweet.id}/retweet`).set(bearer(retweeter.accessToken)).expect(200);
    const entry = retweetOf(await homeTimeline(retweeter), tweet.id)!;
    expect((await readTweet(retweeter, tweet.id)).retweeted).to.equal(true);

    expectProblem(await deleteTweet(author, entry.id), 403, 'forbidden');
    await deleteTweet(retweeter, entry.id).expect(204);
    expect(await readTweet(retweeter, tweet.id)).to.include({
      retweeted: false,
      retweetsCount: 0,
    });
    expect(retweetOf(await homeTimeline(retweeter), tweet.id)).to.be.undefined;
    expect((await me(retweeter)).tweetsCount).to.equal(0);
  });
});
