import { expect } from 'chai';
import { registerUser } from '../helpers/http';
import { follow, registerUsers, postTweet, unfollow } from '../helpers/socialGraph';
import {
  newestFirst,
  readPage,
  storedTimelineHas,
  timelineIds,
  useApiNodeAndWorker,
  waitForDelivery,
  waitForQueuesIdle,
} from './support';

describe('Home timelines with celebrities (FANOUT_CELEBRITY_THRESHOLD=2)', function () {
  this.timeout(60_000);
  const client = useApiNodeAndWorker({ FANOUT_CELEBRITY_THRESHOLD: '2' });

  it("keeps a celebrity's tweet out of stored timelines yet shows it to every follower, newest first", async () => {
    const celebrity = await registerUser();
    const followers = await registerUsers(3);
    const own = new Map<string, string>();
    for (const follower of followers) {
      await follow(follower, celebrity, client());
      own.set(follower.id, (await postTweet(follower, 'my own, earlier', { client: client() })).id);
      await readPage(follower, { client: client() });
    }
    await waitForQueuesIdle();

    const id = (await postTweet(celebrity, 'hello, fans', { client: client() })).id;
    await waitForDelivery(id);

    for (const follower of followers) {
      expect(await storedTimelineHas(follower.id, id), follower.username).to.equal(false);
      const page = await readPage(follower, { client: client() });
      expect(
        page.data.map((item) => item.id),
        follower.username,
      ).to.deep.equal([id, own.get(follower.id)]);
      expect(page.data[0]).to.include({ content: 'hello, fans' });
    }
  });

  it('pages across celebrity and regular tweets without skipping or repeating', async () => {
    const celebrity = await registerUser();
    const regular = await registerUser();
    const [reader, ...fans] = await registerUsers(3);
    for (const fan of fans) await follow(fan, celebrity, client());
    await follow(reader, celebrity, client());
    await follow(reader, regular, client());
    await readPage(reader, { client: client() });

    const posted: string[] = [];
    const pattern = [celebrity, regular, reader, celebrity, celebrity, regular, reader, celebrity];
    for (let round = 0; round < 2; round += 1) {
      for (const author of pattern) {
        posted.push((await postTweet(author, `round ${round}`, { client: client() })).id);
      }
    }
    await waitForQueuesIdle();
    const expected = newestFirst(posted);

    expect(await timelineIds(reader, { limit: 100, client: client() })).to.deep.equal(expected);
    for (const limit of [1, 2, 3]) {
      const ids = await timelineIds(reader, { limit, client: client() });
      expect(ids, `limit=${limit}`).to.deep.equal(expected);
    }
  });

  it("keeps earlier followers seeing an author's new tweets when a follow makes them a celebrity", async () => {
    const author = await registerUser();
    const [first, second, third] = await registerUsers(3);
    for (const follower of [first, second]) {
      await follow(follower, author, client());
      await readPage(follower, { client: client() });
    }
    const before = (await postTweet(author, 'two followers', { client: client() })).id;
    await waitForDelivery(before);
    expect(await storedTimelineHas(first.id, before)).to.equal(true); // fanned out: regular

    await follow(third, author, client()); // three followers: now a celebrity
    await waitForQueuesIdle();
    const after = (await postTweet(author, 'three followers', { client: client() })).id;
    await waitForDelivery(after);

    expect(await storedTimelineHas(first.id, after)).to.equal(false); // merged on read instead
    for (const follower of [first, second, third]) {
      expect(await timelineIds(follower, { client: client() }), follower.username).to.deep.equal([
        after,
        before,
      ]);
    }

    // Back under the threshold: the tweets posted while a celebrity stay in view.
    await unfollow(third, author, client());
    await waitForQueuesIdle();
    for (const follower of [first, second]) {
      expect(await timelineIds(follower, { client: client() }), follower.username).to.deep.equal([
        after,
        before,
      ]);
    }
    expect(await timelineIds(third, { client: client() })).to.deep.equal([]);
  });
});
