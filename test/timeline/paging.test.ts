import { expect } from 'chai';
import { createFollow, createTweet, createUser, createUsers } from '../helpers/factories';
import { postTweet } from '../helpers/socialGraph';
import { newestFirst, readPage, useWorker } from './support';

describe('Paging GET /tweets while new tweets arrive', function () {
  this.timeout(60_000);
  useWorker();

  it('gives each of 120 entries exactly once, newest first, and ends with a null cursor', async () => {
    // The 120 entries are written directly (test/helpers/factories.ts): this is about paging.
    const reader = await createUser();
    const authors = await createUsers(3);
    for (const author of authors) await createFollow(reader, author);
    const posted: string[] = [];
    for (let round = 0; round < 40; round += 1) {
      for (const author of authors) posted.push(await createTweet(author, `tweet ${round}`));
    }

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await readPage(reader, { limit: 20, cursor });
      pages += 1;
      expect(page.data.length, `page ${pages}`).to.be.at.most(20);
      seen.push(...page.data.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
      // New entries land on top of the timeline between page reads, from a followed author
      // (through fan-out) and the reader's own: paging by offset would repeat entries now.
      await postTweet(authors[pages % authors.length], `meanwhile ${pages}`);
      await postTweet(reader, `my own, meanwhile ${pages}`);
      if (pages > 20) throw new Error('paging never ended');
    } while (cursor);

    expect(seen).to.deep.equal(newestFirst(posted)); // each once, strictly descending
    expect(new Set(seen).size).to.equal(120);
    expect(pages).to.equal(6);
  });
});
