import { expect } from 'chai';
import { redis } from '../../app/infra/redis';
import { api, bearer, type TestUser } from '../helpers/http';
import { follow, registerUsers, postTweet } from '../helpers/socialGraph';
import {
  type Item,
  type Page,
  readAllPages,
  readPage,
  useWorker,
  waitForQueuesIdle,
} from './support';

async function post(user: TestUser, path: string): Promise<void> {
  const response = await api().post(path).set(bearer(user.accessToken));
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).to.equal(200);
}
const like = (user: TestUser, id: string) => post(user, `/tweets/${id}/like`);
const retweet = (user: TestUser, id: string) => post(user, `/tweets/${id}/retweet`);

/** Every tweet a page shows, originals inside retweet entries included. */
const tweetsOf = (pages: Page[]): Item[] =>
  pages.flatMap((page) => page.data.flatMap((item) => (item.tweet ? [item, item.tweet] : [item])));

describe('Home timelines rebuilt from MySQL after Redis lost them', function () {
  this.timeout(60_000);
  useWorker();

  it('reads every page exactly as before, flags and counts included', async () => {
    const users = await registerUsers(4);
    const [ann, bob, cat, dan] = users;
    for (const [follower, followee] of [
      [ann, bob],
      [ann, cat],
      [bob, ann],
      [cat, ann],
      [cat, bob],
      [dan, cat],
    ]) {
      await follow(follower, followee);
    }
    for (const user of users) await readPage(user); // built now; kept up to date from here
    const a1 = (await postTweet(ann, 'a1')).id;
    const b1 = (await postTweet(bob, 'b1')).id;
    const c1 = (await postTweet(cat, 'c1')).id;
    const a2 = (await postTweet(ann, 'a2')).id;
    await postTweet(bob, 'b2, a reply to a1', { replyToId: a1 });
    await postTweet(cat, 'c2, a reply to b1', { replyToId: b1 });
    const d1 = (await postTweet(dan, 'd1, nobody reads me')).id;
    await retweet(ann, c1);
    await retweet(dan, a2);
    await retweet(bob, a1);
    await retweet(cat, d1);
    await like(ann, b1);
    await like(cat, a1);
    await like(bob, a2);
    await like(bob, c1);
    await like(dan, c1);
    await like(ann, a1);
    await waitForQueuesIdle();

    const before = new Map<string, Page[]>();
    for (const user of users) before.set(user.id, await readAllPages(user, { limit: 3 }));
    // The scenario shows what a rebuild must get right: retweet entries, replies, counts and
    // the reader's own liked and retweeted flags.
    const annTweets = tweetsOf(before.get(ann.id)!);
    expect(annTweets.some((item) => item.type === 'retweet')).to.equal(true);
    expect(annTweets.some((item) => item.replyToId === a1)).to.equal(true);
    expect(annTweets.find((item) => item.id === c1)).to.include({ retweeted: true });
    expect(annTweets.find((item) => item.id === b1)).to.include({ liked: true, repliesCount: 1 });
    expect(annTweets.find((item) => item.id === a1)).to.include({
      likesCount: 2,
      retweetsCount: 1,
    });
    expect(before.get(bob.id)!.length).to.be.greaterThan(1);

    await redis.flushdb(); // the suite's own Redis database: timelines, caches, viewer sets
    for (const user of users) {
      expect(await readAllPages(user, { limit: 3 }), user.username).to.deep.equal(
        before.get(user.id),
      );
    }
  });
});
