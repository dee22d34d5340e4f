import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { fillViewerSets, viewerSetsVersion } from '../../app/cache/viewerSets';
import { cacheRedis } from '../../app/infra/redis';
import { blockedEitherWay } from '../../app/records/blocks';
import { hiddenAuthorsFromMysql, readHiddenPair, writeHiddenPair } from '../../app/safety/hidden';
import { api, bearer, type TestUser } from '../helpers/http';
import { engage, follow, postTweet, registerUsers } from '../helpers/socialGraph';
import { readPage, useWorker, waitForQueuesIdle } from '../timeline/support';
import { act } from './support';

/*
 * A viewer's hidden set (home timeline) and blocked set (every other read) are filled from
 * MySQL when missing. A fill that read MySQL before a block committed, and wrote after it,
 * left the set without that block for its whole day: the block's own update found no set to
 * change. Here the late write is made by hand, after the block (or unblock), with what MySQL
 * held before it, as test/caching/viewerSetRace.test.ts does for the viewer-flag sets.
 */

/** A fill's start: the viewer's set is missing, the fill reads the marker, then MySQL. */
async function fillStarts(key: string, viewer: TestUser, read: () => Promise<string[]>) {
  await cacheRedis.del(key);
  const version = await viewerSetsVersion(viewer.id);
  return { version, ids: await read() };
}

/** The tweet ids a home page shows (a retweet entry by its original's id). */
const homeShows = async (viewer: TestUser) =>
  (await readPage(viewer)).data.map((item) => item.tweet?.id ?? item.id);

/** Me following a friend who retweeted a tweet by someone else (`them`), in my home timeline. */
async function retweetScene() {
  const [me, friend, them] = await registerUsers(3);
  await follow(me, friend);
  const theirs = await postTweet(them, 'retweeted into my home timeline');
  await engage(friend, 'post', 'retweet', theirs.id);
  await waitForQueuesIdle();
  return { me, them, theirs };
}

describe('hidden and blocked sets filled from MySQL while a block changes', function () {
  this.timeout(60_000);
  useWorker();

  describe('the hidden set (GET /tweets, the home timeline)', () => {
    const hiddenRead = (viewer: TestUser) => () => hiddenAuthorsFromMysql(viewer.id);

    it('hides a followee’s retweet of a user blocked between a fill’s read and its write', async () => {
      const { me, them, theirs } = await retweetScene();
      expect(await homeShows(me)).to.include(theirs.id);
      const fill = await fillStarts(keys.hidden(me.id), me, hiddenRead(me));

      await act(me, 'block', them);
      await fillViewerSets(me.id, [[keys.hidden(me.id), fill.ids]], fill.version); // late write

      expect(await homeShows(me), 'the blocked user’s tweet').not.to.include(theirs.id);
    });

    it('shows the retweet again after an unblock made between a fill’s read and its write', async () => {
      const { me, them, theirs } = await retweetScene();
      await act(me, 'block', them);
      const fill = await fillStarts(keys.hidden(me.id), me, hiddenRead(me));

      await act(me, 'unblock', them);
      await fillViewerSets(me.id, [[keys.hidden(me.id), fill.ids]], fill.version);

      expect(await homeShows(me), 'the unblocked user’s tweet').to.include(theirs.id);
    });

    it('keeps an unblock made after another fill wrote the set, when a slower fill writes', async () => {
      const { me, them, theirs } = await retweetScene();
      await act(me, 'block', them);
      const slow = await fillStarts(keys.hidden(me.id), me, hiddenRead(me));
      expect(await homeShows(me), 'a second fill wrote the set').not.to.include(theirs.id);

      await act(me, 'unblock', them); // the set exists: the unblock changes it in place
      await fillViewerSets(me.id, [[keys.hidden(me.id), slow.ids]], slow.version);

      expect(await homeShows(me), 'the unblocked user’s tweet').to.include(theirs.id);
    });
  });

  describe('the blocked set (every read but the home timeline)', () => {
    const blockedRead = (viewer: TestUser) => () => blockedEitherWay(viewer.id);
    const tweetStatus = async (viewer: TestUser, id: string) =>
      (await api().get(`/tweets/${id}`).set(bearer(viewer.accessToken))).status;

    it('answers 404 for the tweet of a user who blocked the viewer between a fill’s read and its write', async () => {
      const [me, them] = await registerUsers(2);
      const theirs = await postTweet(them, 'soon out of reach');
      expect(await tweetStatus(me, theirs.id)).to.equal(200);
      const fill = await fillStarts(keys.blocked(me.id), me, blockedRead(me));

      await act(them, 'block', me);
      await fillViewerSets(me.id, [[keys.blocked(me.id), fill.ids]], fill.version);

      expect(await tweetStatus(me, theirs.id), 'GET /tweets/:id of the blocker').to.equal(404);
    });

    it('answers 200 again after an unblock made between a fill’s read and its write', async () => {
      const [me, them] = await registerUsers(2);
      const theirs = await postTweet(them, 'back in reach');
      await act(them, 'block', me);
      const fill = await fillStarts(keys.blocked(me.id), me, blockedRead(me));

      await act(them, 'unblock', me);
      await fillViewerSets(me.id, [[keys.blocked(me.id), fill.ids]], fill.version);

      expect(await tweetStatus(me, theirs.id), 'GET /tweets/:id after unblock').to.equal(200);
    });
  });
});

/*
 * After each block, unblock, mute or unmute, a refresh reads the pair's state from MySQL and
 * then writes it to both users' sets. An unblock at once followed by a block again (or two API
 * nodes handling them) made two refreshes that could land out of order: the unblock's, read
 * before the block committed, wrote 'not blocked' after the block's own refresh, and the block
 * went unenforced for the set's day. Here the unblock's refresh is split by hand around the
 * block, as the fill above is.
 */
describe('two refreshes of a block between the same users landing out of order', function () {
  this.timeout(60_000);
  useWorker();

  const tweetStatus = async (viewer: TestUser, id: string) =>
    (await api().get(`/tweets/${id}`).set(bearer(viewer.accessToken))).status;

  it('hides a followee’s retweet of a user blocked again while the unblock’s refresh was writing', async () => {
    const { me, them, theirs } = await retweetScene();
    expect(await homeShows(me), 'the hidden set is cached').to.include(theirs.id);
    await act(me, 'block', them);
    await act(me, 'unblock', them);
    const unblockRefresh = await readHiddenPair(me.id, them.id); // reads: not blocked

    await act(me, 'block', them); // commits, and its refresh writes 'blocked'
    await writeHiddenPair(unblockRefresh); // the unblock's refresh lands last

    expect(await homeShows(me), 'the blocked user’s tweet').not.to.include(theirs.id);
  });

  it('shows the retweet again after an unblock whose block’s refresh wrote last', async () => {
    const { me, them, theirs } = await retweetScene();
    expect(await homeShows(me), 'the hidden set is cached').to.include(theirs.id);
    await act(me, 'block', them);
    const blockRefresh = await readHiddenPair(me.id, them.id); // reads: blocked

    await act(me, 'unblock', them);
    await writeHiddenPair(blockRefresh);

    expect(await homeShows(me), 'the unblocked user’s tweet').to.include(theirs.id);
  });

  it('answers 404 for the tweet of a user who blocked the viewer again while the unblock’s refresh was writing', async () => {
    const [me, them] = await registerUsers(2);
    const theirs = await postTweet(them, 'out of reach again');
    await act(them, 'block', me);
    await act(them, 'unblock', me);
    expect(await tweetStatus(me, theirs.id), 'the blocked set is cached').to.equal(200);
    const unblockRefresh = await readHiddenPair(them.id, me.id);

    await act(them, 'block', me);
    await writeHiddenPair(unblockRefresh);

    expect(await tweetStatus(me, theirs.id), 'GET /tweets/:id of the blocker').to.equal(404);
  });
});
