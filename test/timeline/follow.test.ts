import { expect } from 'chai';
import { api, bearer, registerUser } from '../helpers/http';
import { follow, postTweet, unfollow } from '../helpers/socialGraph';
import {
  newestFirst,
  readAllPages,
  readPage,
  useWorker,
  timelineIds,
  waitForJob,
  waitForQueuesIdle,
} from './support';

describe('Follow and unfollow in home timelines', function () {
  this.timeout(60_000);
  useWorker();

  it("merges the followee's earlier tweets in on follow and takes them out on unfollow", async () => {
    const viewer = await registerUser();
    const followee = await registerUser();
    const stranger = await registerUser();

    const own = [(await postTweet(viewer, 'mine, first')).id];
    const theirs = [(await postTweet(followee, 'theirs, first')).id];
    own.push((await postTweet(viewer, 'mine, second')).id);
    theirs.push((await postTweet(followee, 'a reply to you', { replyToId: own[0] })).id);
    const strangers = (await postTweet(stranger, 'retweet me')).id;
    const retweet = await api()
      .post(`/tweets/${strangers}/retweet`)
      .set(bearer(followee.accessToken));
    expect(retweet.status).to.equal(200);
    const retweetEntry = (await readPage(followee)).data.find((item) => item.type === 'retweet');
    theirs.push(retweetEntry!.id);
    theirs.push((await postTweet(followee, 'theirs, last')).id);
    await readPage(viewer); // the viewer's timeline is built before the follow
    await waitForQueuesIdle();

    await follow(viewer, followee);
    const merged = newestFirst([...own, ...theirs]);
    const pages = await readAllPages(viewer, { limit: 4 });
    const items = pages.flatMap((page) => page.data);
    expect(items.map((item) => item.id)).to.deep.equal(merged);
    const retweetItem = items.find((item) => item.type === 'retweet');
    expect(retweetItem?.tweet?.id).to.equal(strangers);
    expect(items.find((item) => item.id === theirs[1])?.replyToId).to.equal(own[0]);

    await unfollow(viewer, followee);
    expect(await timelineIds(viewer, { limit: 4 })).to.deep.equal(newestFirst(own));

    // Nor do their new tweets reach the viewer any more.
    const later = (await postTweet(followee, 'after the unfollow')).id;
    await waitForJob('fanout', `fanout:${later}`);
    expect(await timelineIds(viewer)).to.deep.equal(newestFirst(own));
  });

  it('keeps the timeline true across unfollow and follow again', async () => {
    const viewer = await registerUser();
    const followee = await registerUser();
    await follow(viewer, followee);
    await readPage(viewer);
    const first = (await postTweet(followee, 'while followed')).id;
    await waitForJob('fanout', `fanout:${first}`);
    expect(await timelineIds(viewer)).to.deep.equal([first]);

    await unfollow(viewer, followee);
    expect(await timelineIds(viewer)).to.deep.equal([]);
    const second = (await postTweet(followee, 'while not followed')).id;
    await waitForJob('fanout', `fanout:${second}`);

    await follow(viewer, followee);
    expect(await timelineIds(viewer)).to.deep.equal([second, first]);
  });
});
