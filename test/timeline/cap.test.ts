import { expect } from 'chai';
import { redis } from '../../app/infra/redis';
import { keys } from '../../app/cache/keys';
import { createTweet, createUser } from '../helpers/factories';
import { registerUser } from '../helpers/http';
import { follow, postTweet } from '../helpers/socialGraph';
import {
  newestFirst,
  readAllPages,
  readPage,
  timelineIds,
  useApiNodeAndWorker,
  waitForQueuesIdle,
} from './support';

const CAP = 25;

describe('GET /tweets with TIMELINE_MAX_LENGTH=25', function () {
  this.timeout(60_000);
  // Both the API node (own entries, follow merges, rebuilds) and the worker (fan-out) trim.
  const client = useApiNodeAndWorker({ TIMELINE_MAX_LENGTH: String(CAP) });

  it('ends the pages after the newest 25 entries once 40 tweets were posted', async () => {
    const author = await registerUser();
    const reader = await registerUser();
    await follow(reader, author, client());
    await readPage(reader, { client: client() });
    await readPage(author, { client: client() });

    const posted: string[] = [];
    for (let i = 0; i < 40; i += 1)
      posted.push((await postTweet(author, `tweet ${i}`, { client: client() })).id);
    await waitForQueuesIdle();
    const newest = newestFirst(posted).slice(0, CAP);

    for (const user of [reader, author]) {
      for (const limit of [10, CAP, 100]) {
        const pages = await readAllPages(user, { limit, client: client() });
        const ids = pages.flatMap((page) => page.data.map((item) => item.id));
        expect(ids, `${user.username}, limit=${limit}`).to.deep.equal(newest);
        expect(pages.length, `${user.username}, limit=${limit}`).to.equal(Math.ceil(CAP / limit));
        expect(pages[pages.length - 1].nextCursor).to.equal(null);
      }
    }

    // Rebuilt from MySQL, the timeline is just as long.
    await redis.del(keys.home(reader.id));
    expect(await timelineIds(reader, { limit: 10, client: client() })).to.deep.equal(newest);
  });

  it('keeps the cap when a follow merges older tweets in', async () => {
    // The tweets before the follow are written directly (test/helpers/factories.ts).
    const author = await createUser();
    const reader = await createUser();
    const own: string[] = [];
    for (let i = 0; i < 20; i += 1) own.push(await createTweet(reader, `mine ${i}`));
    const theirs: string[] = [];
    for (let i = 0; i < 20; i += 1) theirs.push(await createTweet(author, `theirs ${i}`));
    await readPage(reader, { client: client() });

    await follow(reader, author, client());

    const expected = newestFirst([...own, ...theirs]).slice(0, CAP);
    expect(await timelineIds(reader, { limit: 10, client: client() })).to.deep.equal(expected);
  });
});
