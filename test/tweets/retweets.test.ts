import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import type { RunningProcess } from '../helpers/processes';
import { expectProblem } from '../helpers/problems';
import { startWorker, stopWorker } from '../helpers/workers';
import { eventually } from '../helpers/poll';
import { follow, postTweet, registerUsers } from '../helpers/socialGraph';
import {
  RETWEET_ITEM_KEYS,
  TWEET_KEYS,
  UNKNOWN_ID,
  homeTimeline,
  me,
  readTweet,
  retweetOf,
  type RetweetItem,
} from './support';

const retweet = (user: TestUser, id: string) =>
  api().post(`/tweets/${id}/retweet`).set(bearer(user.accessToken));
const unretweet = (user: TestUser, id: string) =>
  api().delete(`/tweets/${id}/retweet`).set(bearer(user.accessToken));

describe('POST /tweets/:id/retweet and DELETE /tweets/:id/retweet', function () {
  this.timeout(30_000);

  let worker: RunningProcess | undefined;
  let author: TestUser;
  before(async () => {
    worker = await startWorker();
    author = await registerUser({ displayName: 'The Author' });
  });
  after(async () => {
    await stopWorker(worker);
  });

  it('retweets: {retweeted: true, retweetsCount: 1}, and a second time changes nothing', async () => {
    const fan = await registerUser();
    const tweet = await postTweet(author);
    const first = await retweet(fan, tweet.id).expect(200);
    expect(first.body).to.deep.equal({ retweeted: true, retweetsCount: 1 });
    const second = await retweet(fan, tweet.id).expect(200);
    expect(second.body).to.deep.equal({ retweeted: true, retweetsCount: 1 });

    expect(await readTweet(fan, tweet.id)).to.include({ retweeted: true, retweetsCount: 1 });
    expect(await readTweet(author, tweet.id)).to.include({ retweeted: false, retweetsCount: 1 });
    expect((await me(fan)).tweetsCount, 'one retweet counted once').to.equal(1);
    const own = (await homeTimeline(fan)).filter(
      (item) => 'type' in item && item.tweet.id === tweet.id,
    );
    expect(own, "one retweet item in the retweeter's timeline").to.have.length(1);
  });

  it("delivers a retweet item to the retweeter's followers, flags for the viewer", async () => {
    const fan = await registerUser({ displayName: 'Fan' });
    const follower = await registerUser();
    await follow(follower, fan);
    await homeTimeline(follower); // built before the retweet: the worker must deliver it
    const tweet = await postTweet(author, 'worth spreading');
    await retweet(fan, tweet.id).expect(200);

    let item: RetweetItem | undefined;
    await eventually(
      async () => {
        item = retweetOf(await homeTimeline(follower), tweet.id);
        return item !== undefined;
      },
      Boolean,
      'the retweet reaches the follower',
    );
    expect(item).to.have.all.keys(RETWEET_ITEM_KEYS);
    expect(item!.type).to.equal('retweet');
    expect(item!.id)
      .to.be.a('string')
      .and.match(/^[1-9]\d*$/);
    expect(item!.id).not.to.equal(tweet.id);
    expect(item!.retweetedBy).to.deep.equal({
      id: fan.id,
      username: fan.username,
      displayName: 'Fan',
    });
    expect(new Date(item!.createdAt).toISOString()).to.equal(item!.createdAt);
    expect(item!.tweet).to.have.all.keys(TWEET_KEYS);
    expect(item!.tweet).to.deep.equal({
      ...tweet,
      retweetsCount: 1,
      liked: false,
      retweeted: false,
    });

    // The retweeter sees the same item with their own flag set.
    const own = retweetOf(await homeTimeline(fan), tweet.id);
    expect(own?.id).to.equal(item!.id);
    expect(own!.tweet).to.include({ retweeted: true, retweetsCount: 1 });

    // A like by the follower shows inside the item they see.
    await api().post(`/tweets/${tweet.id}/like`).set(bearer(follower.accessToken)).expect(200);
    const liked = retweetOf(await homeTimeline(follower), tweet.id);
    expect(liked!.tweet).to.include({ liked: true, likesCount: 1, retweeted: false });
  });

  it('undoes a retweet: {retweeted: false, retweetsCount: 0}, gone from the timelines', async () => {
    const [fan, follower] = await registerUsers(2);
    await follow(follower, fan);
    await homeTimeline(follower);
    const tweet = await postTweet(author);
    await retweet(fan, tweet.id).expect(200);
    expect(retweetOf(await homeTimeline(fan), tweet.id)).to.exist;
    await eventually(
      async () => Boolean(retweetOf(await homeTimeline(follower), tweet.id)),
      Boolean,
      'the retweet reaches the follower',
    );

    const first = await unretweet(fan, tweet.id).expect(200);
    expect(first.body).to.deep.equal({ retweeted: false, retweetsCount: 0 });
    expect(retweetOf(await homeTimeline(fan), tweet.id), "retweeter's own timeline").to.be
      .undefined;
    expect(await readTweet(fan, tweet.id)).to.include({ retweeted: false, retweetsCount: 0 });
    expect((await me(fan)).tweetsCount).to.equal(0);
    const second = await unretweet(fan, tweet.id).expect(200);
    expect(second.body).to.deep.equal({ retweeted: false, retweetsCount: 0 });
    await eventually(
      async () => retweetOf(await homeTimeline(follower), tweet.id) === undefined,
      Boolean,
      'the retweet leaves the follower',
    );
  });

  it('can retweet again after undoing', async () => {
    const fan = await registerUser();
    const tweet = await postTweet(author);
    await retweet(fan, tweet.id).expect(200);
    await unretweet(fan, tweet.id).expect(200);
    const again = await retweet(fan, tweet.id).expect(200);
    expect(again.body).to.deep.equal({ retweeted: true, retweetsCount: 1 });
    expect(retweetOf(await homeTimeline(fan), tweet.id)).to.exist;
  });

  it('counts 20 users retweeting the same tweet at once exactly 20 times', async () => {
    const fans = await registerUsers(20);
    const tweet = await postTweet(author, 'everyone retweet this');
    const responses = await Promise.all(fans.map((fan) => retweet(fan, tweet.id)));
    for (const response of responses) {
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      expect(response.body.retweeted).to.equal(true);
    }
    const counts = responses.map((r) => r.body.retweetsCount as number).sort((a, b) => a - b);
    expect(counts).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await readTweet(author, tweet.id)).retweetsCount).to.equal(20);

    await Promise.all(fans.slice(0, 5).map((fan) => unretweet(fan, tweet.id).expect(200)));
    expect((await readTweet(author, tweet.id)).retweetsCount).to.equal(15);
  });

  it('retweets the original when given the id of a retweet item', async () => {
    const [first, second] = await registerUsers(2);
    const tweet = await postTweet(author);
    await retweet(first, tweet.id).expect(200);
    const item = retweetOf(await homeTimeline(first), tweet.id)!;
    const response = await retweet(second, item.id).expect(200);
    expect(response.body).to.deep.equal({ retweeted: true, retweetsCount: 2 });
    expect((await readTweet(author, tweet.id)).retweetsCount).to.equal(2);
  });

  it('answers 404 not_found for an unknown tweet, both ways', async () => {
    const fan = await registerUser();
    expectProblem(await retweet(fan, UNKNOWN_ID), 404, 'not_found');
    expectProblem(await unretweet(fan, UNKNOWN_ID), 404, 'not_found');
    expectProblem(await retweet(fan, 'abc'), 404, 'not_found');
    expect((await me(fan)).tweetsCount).to.equal(0);
  });
});
