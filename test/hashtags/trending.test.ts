import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { moveTagUses } from '../../app/cache/trending';
import { rebuildTrending } from '../../app/hashtags/trending';
import { redis } from '../../app/infra/redis';
import { api, bearer, type TestUser } from '../helpers/http';
import { createUsers } from '../helpers/factories';
import { postTweet } from '../helpers/socialGraph';
import { processRepair } from '../../workers/repair';

interface Trending {
  data: { tag: string; authors: number }[];
}

/**
 * GET /hashtags/trending ranks tags by distinct authors over the last 24 hours. The ranking
 * is global, so each test uses tags of its own (a run-unique suffix) with more authors than
 * tags other files make, and asserts where its tags stand. Tags given in several tests are
 * posted by nested groups of authors (every author of a smaller tag also uses the bigger
 * one, in the same tweet), so an hour turning mid-test cannot swap their order.
 */
describe('GET /hashtags/trending', function () {
  this.timeout(60_000);

  const run = Math.random().toString(36).slice(2, 8).replace(/\d/g, 'x');
  const tag = (name: string) => `${name}${run}`;
  let users: TestUser[];

  /** The trending tags now: the 30 s snapshot is dropped first, so the read makes a fresh one. */
  async function trending(): Promise<Trending['data']> {
    await redis.del(keys.trendingCurrent());
    const response = await api().get('/hashtags/trending').set(bearer(users[0].accessToken));
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body).to.have.all.keys('data');
    return (response.body as Trending).data;
  }

  const entry = (data: Trending['data'], name: string) => data.find((t) => t.tag === name);

  before(async () => {
    users = await createUsers(24);
    // The first read builds the sets from MySQL: every post below then goes the live way.
    await trending();
  });

  it('ranks a tag of 8 authors above one of 3 authors, one of whom posted it 20 times', async () => {
    const [broad, loud] = [tag('broad'), tag('loud')];
    for (const [i, user] of users.slice(0, 8).entries()) {
      await postTweet(user, i < 3 ? `#${broad} and #${loud}` : `just #${broad}`);
    }
    for (let n = 0; n < 19; n += 1) await postTweet(users[0], `again #${loud} (${n})`);
    const data = await trending();
    expect(entry(data, broad)).to.deep.equal({ tag: broad, authors: 8 });
    expect(entry(data, loud)).to.deep.equal({ tag: loud, authors: 3 });
    expect(data.findIndex((t) => t.tag === broad)).to.be.below(
      data.findIndex((t) => t.tag === loud),
    );
  });

  it('counts #Café, #CAFÉ and a full-width #ｃａｆé as one tag', async () => {
    const base = tag('café');
    const fullWidth = [...base]
      .map((c) => (/[a-z]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c))
      .join('');
    const variants = [tag('Café'), base.toUpperCase(), fullWidth, base];
    for (const [i, variant] of variants.entries()) {
      await postTweet(users[i], `coffee #${variant}!`);
    }
    const data = await trending();
    expect(entry(data, base)).to.deep.equal({ tag: base, authors: 4 });
    expect(data.filter((t) => t.tag.normalize('NFKC').toLowerCase() === base)).to.have.length(1);
  });

  it("retracts a deleted tweet's use, unless its author used the tag again in 24 hours", async () => {
    const news = tag('news');
    const posted = [];
    for (const user of users.slice(0, 12)) posted.push(await postTweet(user, `#${news} today`));
    const again = await postTweet(users[1], `more #${news}`);
    expect(entry(await trending(), news)).to.deep.equal({ tag: news, authors: 12 });

    const remove = (user: TestUser, id: string) =>
      api().delete(`/tweets/${id}`).set(bearer(user.accessToken)).expect(204);
    await remove(users[0], posted[0].id);
    expect(entry(await trending(), news), 'its only use').to.deep.equal({ tag: news, authors: 11 });
    await remove(users[1], again.id);
    expect(entry(await trending(), news), 'another use left').to.deep.equal({
      tag: news,
      authors: 11,
    });
    await remove(users[1], posted[1].id);
    expect(entry(await trending(), news), 'no use left').to.deep.equal({ tag: news, authors: 10 });
  });

  it('gives the same answer after Redis lost everything, rebuilt from MySQL', async () => {
    const before = await trending();
    expect(before.map((t) => t.tag)).to.include(tag('news'));
    await redis.flushdb();
    expect(await trending(), 'rebuilt by the read').to.deep.equal(before);
    await redis.flushdb();
    await rebuildTrending();
    expect(await trending(), 'rebuilt by rebuildTrending()').to.deep.equal(before);
  });

  it('counts uses its upkeep missed again once the repair job for them ran', async () => {
    const missed = tag('missed');
    for (const user of users.slice(0, 9)) await postTweet(user, `#${missed}`);
    // As if Redis had been away for the upkeep of three of these posts.
    for (const user of users.slice(0, 3)) await moveTagUses(user.id, new Map([[missed, null]]));
    expect(entry(await trending(), missed)).to.deep.equal({ tag: missed, authors: 6 });
    await processRepair({
      kind: 'repair',
      tweetIds: [],
      userIds: [],
      authUserIds: [],
      trending: true,
    });
    expect(entry(await trending(), missed)).to.deep.equal({ tag: missed, authors: 9 });
  });

  it('answers the top 10 only', async () => {
    // Tag k (0-10) is used by 13 + k authors: the one of 13 is the 11th and left out.
    const names = Array.from({ length: 11 }, (_, k) => tag(`top${'abcdefghijk'[k]}`));
    for (const [i, user] of users.slice(0, 23).entries()) {
      const used = names.filter((_, k) => 13 + k > i);
      await postTweet(user, used.map((name) => `#${name}`).join(' '));
    }
    const data = await trending();
    expect(data).to.deep.equal(
      names
        .map((name, k) => ({ tag: name, authors: 13 + k }))
        .reverse()
        .slice(0, 10),
    );
  });
});
