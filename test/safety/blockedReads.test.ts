import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { startApiNode, type ApiNode, type Client } from '../helpers/apiNode';
import { createFollow, createUsers } from '../helpers/factories';
import { api, bearer, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { OwnRedis } from '../helpers/services';
import { engage, getPage, postTweet, readAllPages, type TweetBody } from '../helpers/socialGraph';
import { act } from './support';

/**
 * Blocks on reads: between a viewer and a user either blocks, the user's tweets, retweets and
 * replies are absent from every list the viewer reads, and the user's own pages answer 404 as
 * for a user who does not exist; unblocking shows everything again.
 */

/** Both ways a block can stand between the viewer and them. */
const DIRECTIONS = [
  { name: 'the viewer blocks them', blocker: 'viewer', blocked: 'them' },
  { name: 'they block the viewer', blocker: 'them', blocked: 'viewer' },
] as const;

type Direction = (typeof DIRECTIONS)[number];

interface Scene {
  viewer: TestUser;
  them: TestUser;
  third: TestUser;
  /** A word (and hashtag) only this scene's tweets use. */
  word: string;
  theirs: TweetBody;
  thirds: TweetBody;
}

const letters = () =>
  Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join(
    '',
  );

/** The viewer, them and a third user, each of the two others with a tweet using one word. */
async function scene(): Promise<Scene> {
  const [viewer, them, third] = await createUsers(3);
  const word = letters();
  const theirs = await postTweet(them, `${word} said by them #${word}`);
  const thirds = await postTweet(third, `${word} said by a third #${word}`);
  return { viewer, them, third, word, theirs, thirds };
}

const setBlock = async (s: Scene, direction: Direction, on: boolean, client: Client = api()) => {
  await act(s[direction.blocker], on ? 'block' : 'unblock', s[direction.blocked], client);
};

const get = (viewer: TestUser, path: string, client: Client = api()) =>
  client.get(path).set(bearer(viewer.accessToken));

type Entry = { id: string; tweet?: { id: string } };

/** Every item of a list, all pages read (one page of 100 for a path with its own query). */
async function items(viewer: TestUser, path: string, limit = 100): Promise<Entry[]> {
  if (path.includes('?')) return (await getPage<Entry>(viewer, `${path}&limit=${limit}`)).data;
  return (await readAllPages<Entry>(viewer, path, limit)).flat();
}

/** The ids of every item of a list. */
const listed = async (viewer: TestUser, path: string, limit = 100) =>
  (await items(viewer, path, limit)).map((item) => item.id);

/** The entries a tweet list shows as tweet ids: a retweet entry by its original's id. */
const shownTweets = async (viewer: TestUser, path: string) =>
  (await items(viewer, path)).map((item) => item.tweet?.id ?? item.id);

describe('Blocks on reads', function () {
  this.timeout(60_000);

  describe('GET /users/:id and /users/by-username/:username', () => {
    it('answer 404 to a user the profile’s owner blocks; the blocker still sees them, as blocking', async () => {
      const s = await scene();
      await setBlock(s, DIRECTIONS[0], true);
      expectProblem(await get(s.them, `/users/${s.viewer.id}`), 404, 'not_found');
      expectProblem(await get(s.them, `/users/by-username/${s.viewer.username}`), 404, 'not_found');
      const seen = await get(s.viewer, `/users/by-username/${s.them.username}`);
      expect(seen.status).to.equal(200);
      expect(seen.body).to.include({ id: s.them.id, blocking: true });

      await setBlock(s, DIRECTIONS[0], false);
      expect((await get(s.them, `/users/${s.viewer.id}`)).body).to.include({ id: s.viewer.id });
      expect((await get(s.them, `/users/by-username/${s.viewer.username}`)).status).to.equal(200);
    });
  });

  for (const direction of DIRECTIONS) {
    describe(`when ${direction.name}`, () => {
      it('their tweets, likes, followers and following answer 404, and again 200 after unblock', async () => {
        const s = await scene();
        const paths = ['tweets', 'likes', 'followers', 'following'].map(
          (list) => `/users/${s.them.id}/${list}`,
        );
        await setBlock(s, direction, true);
        for (const path of paths) expectProblem(await get(s.viewer, path), 404, 'not_found');
        await setBlock(s, direction, false);
        for (const path of paths) expect((await get(s.viewer, path)).status, path).to.equal(200);
        expect(await shownTweets(s.viewer, paths[0])).to.deep.equal([s.theirs.id]);
      });

      it('GET /tweets/:id answers 404 for their tweet and for a third user’s retweet of it', async () => {
        const s = await scene();
        await engage(s.third, 'post', 'retweet', s.theirs.id);
        const [retweet] = await listed(s.viewer, `/users/${s.third.id}/tweets`);
        await setBlock(s, direction, true);
        expectProblem(await get(s.viewer, `/tweets/${s.theirs.id}`), 404, 'not_found');
        expectProblem(await get(s.viewer, `/tweets/${retweet}`), 404, 'not_found');
        expect((await get(s.viewer, `/tweets/${s.thirds.id}`)).status).to.equal(200);
        await setBlock(s, direction, false);
        expect((await get(s.viewer, `/tweets/${s.theirs.id}`)).body).to.include({
          id: s.theirs.id,
        });
        expect((await get(s.viewer, `/tweets/${retweet}`)).status).to.equal(200);
      });

      it('a thread leaves their replies out, and one under their tweet answers 404', async () => {
        const s = await scene();
        const replies = [];
        for (const author of [s.third, s.them, s.third, s.them, s.third]) {
          replies.push((await postTweet(author, 'a reply', { replyToId: s.thirds.id })).id);
        }
        const underTheirs = await postTweet(s.third, 'a reply to them', {
          replyToId: s.theirs.id,
        });
        await setBlock(s, direction, true);
        // Two to a page: pages with their replies come up short, and nothing is skipped.
        expect(await listed(s.viewer, `/tweets/${s.thirds.id}/replies`, 2)).to.deep.equal([
          replies[0],
          replies[2],
          replies[4],
        ]);
        expectProblem(await get(s.viewer, `/tweets/${s.theirs.id}/replies`), 404, 'not_found');
        await setBlock(s, direction, false);
        expect(await listed(s.viewer, `/tweets/${s.thirds.id}/replies`, 2)).to.deep.equal(replies);
        expect(await listed(s.viewer, `/tweets/${s.theirs.id}/replies`)).to.deep.equal([
          underTheirs.id,
        ]);
      });

      it('a context skips their ancestor without breaking the chain, and theirs answers 404', async () => {
        const s = await scene();
        const middle = await postTweet(s.them, 'in the middle', { replyToId: s.thirds.id });
        const leaf = await postTweet(s.third, 'at the end', { replyToId: middle.id });
        const ancestors = async () => {
          const response = await get(s.viewer, `/tweets/${leaf.id}/context`);
          expect(response.status).to.equal(200);
          return (response.body as { ancestors: { id: string }[] }).ancestors.map((t) => t.id);
        };
        await setBlock(s, direction, true);
        expect(await ancestors()).to.deep.equal([s.thirds.id]);
        expectProblem(await get(s.viewer, `/tweets/${middle.id}/context`), 404, 'not_found');
        await setBlock(s, direction, false);
        expect(await ancestors()).to.deep.equal([s.thirds.id, middle.id]);
      });

      it('GET /tweets/:id/likes answers 404 for their tweet and leaves them out of the likers', async () => {
        const s = await scene();
        await engage(s.them, 'post', 'like', s.thirds.id);
        await engage(s.third, 'post', 'like', s.thirds.id);
        await engage(s.third, 'post', 'like', s.theirs.id);
        await setBlock(s, direction, true);
        expect(await listed(s.viewer, `/tweets/${s.thirds.id}/likes`)).to.deep.equal([s.third.id]);
        expectProblem(await get(s.viewer, `/tweets/${s.theirs.id}/likes`), 404, 'not_found');
        await setBlock(s, direction, false);
        expect(await listed(s.viewer, `/tweets/${s.thirds.id}/likes`)).to.have.members([
          s.third.id,
          s.them.id,
        ]);
        expect(await listed(s.viewer, `/tweets/${s.theirs.id}/likes`)).to.deep.equal([s.third.id]);
      });

      it('leaves them out of every other list, a third user’s retweet of theirs too, until unblock', async () => {
        const s = await scene();
        // Engagement before the block (a block refuses it afterwards).
        await engage(s.viewer, 'post', 'like', s.theirs.id);
        await api().post(`/tweets/${s.theirs.id}/bookmark`).set(bearer(s.viewer.accessToken));
        await engage(s.third, 'post', 'like', s.theirs.id);
        await engage(s.third, 'post', 'retweet', s.theirs.id);
        await redis.del(keys.popularCurrent()); // a fresh popular snapshot, with their tweet
        const lists = {
          'a third user’s tweets': `/users/${s.third.id}/tweets`,
          'a third user’s likes': `/users/${s.third.id}/likes`,
          'the viewer’s likes': `/users/${s.viewer.id}/likes`,
          bookmarks: '/bookmarks',
          hashtag: `/hashtags/${s.word}/tweets`,
          'tweet search': `/search/tweets?q=${s.word}`,
          popular: '/tweets/popular',
        };
        const read = (path: string) => shownTweets(s.viewer, path);
        for (const [name, path] of Object.entries(lists)) {
          expect(await read(path), `${name} before`).to.include(s.theirs.id);
        }
        const found = () => listed(s.viewer, `/search/users?q=${s.them.username}`);
        expect(await found()).to.deep.equal([s.them.id]);
        await createFollow(s.them, s.third);
        const followers = () => listed(s.viewer, `/users/${s.third.id}/followers`);
        expect(await followers()).to.deep.equal([s.them.id]);

        await setBlock(s, direction, true);
        for (const [name, path] of Object.entries(lists)) {
          expect(await read(path), name).not.to.include(s.theirs.id);
        }
        expect(await read(lists.hashtag)).to.deep.equal([s.thirds.id]);
        expect(await found()).to.deep.equal([]);
        expect(await followers()).to.deep.equal([]);

        await setBlock(s, direction, false);
        for (const [name, path] of Object.entries(lists)) {
          expect(await read(path), `${name} after unblock`).to.include(s.theirs.id);
        }
        expect(await found()).to.deep.equal([s.them.id]);
        expect(await followers()).to.deep.equal([s.them.id]);
      });
    });
  }

  describe('across API nodes', () => {
    let node: ApiNode | undefined;

    before(async () => {
      node = await startApiNode();
    });

    after(async () => {
      await node?.stop();
    });

    it('a block made on one node hides at once on another, and an unblock there shows again', async () => {
      const s = await scene();
      const other = node!.client;
      // The other node's blocked set for the viewer is cached (empty) before the block.
      expect((await get(s.viewer, `/tweets/${s.theirs.id}`, other())).status).to.equal(200);
      await setBlock(s, DIRECTIONS[1], true);
      expectProblem(await get(s.viewer, `/tweets/${s.theirs.id}`, other()), 404, 'not_found');
      expectProblem(await get(s.viewer, `/users/${s.them.id}/tweets`, other()), 404, 'not_found');
      await setBlock(s, DIRECTIONS[1], false, other());
      expect((await get(s.viewer, `/tweets/${s.theirs.id}`)).status).to.equal(200);
    });

    it('a viewer’s blocked set lost from Redis is loaded again from MySQL', async () => {
      const s = await scene();
      await setBlock(s, DIRECTIONS[0], true);
      await redis.del(keys.blocked(s.viewer.id), keys.blocked(s.them.id));
      expectProblem(
        await get(s.viewer, `/tweets/${s.theirs.id}`, node!.client()),
        404,
        'not_found',
      );
      expectProblem(await get(s.them, `/users/${s.viewer.id}/tweets`), 404, 'not_found');
    });
  });

  describe('while Redis is away', () => {
    let redisOfItsOwn: OwnRedis | undefined;
    let node: ApiNode | undefined;

    before(async () => {
      redisOfItsOwn = await OwnRedis.create();
      await redisOfItsOwn.start();
      node = await startApiNode({ REDIS_URL: redisOfItsOwn.url });
      await redisOfItsOwn.stop();
    });

    after(async () => {
      await node?.stop();
      await redisOfItsOwn?.stop();
    });

    it('a node without Redis reads blocks from MySQL', async () => {
      const s = await scene();
      const away = node!.client;
      await setBlock(s, DIRECTIONS[1], true);
      expectProblem(await get(s.viewer, `/tweets/${s.theirs.id}`, away()), 404, 'not_found');
      expectProblem(await get(s.viewer, `/users/${s.them.id}/tweets`, away()), 404, 'not_found');
      expect((await get(s.viewer, `/tweets/${s.thirds.id}`, away())).status).to.equal(200);
      await setBlock(s, DIRECTIONS[1], false);
      expect((await get(s.viewer, `/tweets/${s.theirs.id}`, away())).status).to.equal(200);
    });
  });
});
