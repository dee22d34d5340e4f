import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { redis } from '../../app/infra/redis';
import { getQueue } from '../../app/queue/queues';
import { rebuildHome } from '../../app/timeline/build';
import { keys } from '../../app/cache/keys';
import { registerUser } from '../helpers/http';
import { createFollow, createTweet, createUser, createUsers } from '../helpers/factories';
import { follow, registerUsers, postTweet } from '../helpers/socialGraph';
import {
  newestFirst,
  readPage,
  useWorker,
  storedTimelineHas,
  waitForJob,
  waitForQueuesIdle,
} from './support';

/** Ids of every job the fanout queue holds, in any state. */
async function fanoutJobIds(): Promise<Set<string>> {
  const jobs = await getQueue('fanout').getJobs(
    ['waiting', 'active', 'delayed', 'completed', 'failed', 'paused'],
    0,
    -1,
  );
  return new Set(jobs.filter((job) => job !== null).map((job) => String(job.id)));
}

/**
 * Inserts `count` users that follow `followeeId` straight through SQL (a few statements,
 * not 10,000 API calls) and moves the followee's counter to match, as the API would.
 */
async function insertFollowers(followeeId: string, count: number): Promise<string[]> {
  const tag = `bf${Math.random().toString(36).slice(2, 6)}`;
  const CHUNK = 2000;
  for (let start = 0; start < count; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => {
      const name = `${tag}_${start + i}`;
      return `('${name}','${name}','${name}@example.test','${name}@example.test','Bulk','${'x'.repeat(60)}',UTC_TIMESTAMP(3),UTC_TIMESTAMP(3),1)`;
    });
    await sequelize.query(
      `INSERT INTO users (username, username_key, email, email_key, display_name, password_hash,
         created_at, updated_at, following_count) VALUES ${rows.join(',')}`,
    );
  }
  await sequelize.query(
    `INSERT INTO follows (follower_id, followee_id, created_at)
     SELECT id, :followeeId, UTC_TIMESTAMP(3) FROM users WHERE username LIKE :pattern`,
    { replacements: { followeeId, pattern: `${tag}\\_%` } },
  );
  await sequelize.query(
    `UPDATE users SET followers_count =
       (SELECT COUNT(*) FROM follows WHERE followee_id = :followeeId) WHERE id = :followeeId`,
    { replacements: { followeeId } },
  );
  const ids = await sequelize.query<{ id: string }>(
    'SELECT id FROM users WHERE username LIKE :pattern ORDER BY id',
    { replacements: { pattern: `${tag}\\_%` }, type: QueryTypes.SELECT },
  );
  return ids.map((row) => String(row.id));
}

describe('Fan-out of new tweets to home timelines', function () {
  this.timeout(60_000);
  useWorker();

  it("puts a tweet in each of 30 followers' timelines, newest first, and in its author's own", async () => {
    // The graph before the tweet is written directly (test/helpers/factories.ts).
    const author = await createUser();
    const outsider = await createUser();
    const followers = await createUsers(30);
    const ownTweets = new Map<string, string>();
    for (const follower of followers) {
      await createFollow(follower, author);
      ownTweets.set(follower.id, await createTweet(follower, `before, from ${follower.username}`));
      await readPage(follower); // the timeline exists now: fan-out writes existing ones only
    }
    const outsiderTweet = await createTweet(outsider, 'not following anyone');
    await readPage(outsider);
    await readPage(author);
    await waitForQueuesIdle();

    const id = (await postTweet(author, 'hello, followers')).id;
    await waitForJob('fanout', `fanout:${id}`);

    for (const follower of followers) {
      expect(await storedTimelineHas(follower.id, id), follower.username).to.equal(true);
      const page = await readPage(follower);
      const ids = page.data.map((item) => item.id);
      expect(ids, follower.username).to.deep.equal([id, ownTweets.get(follower.id)]);
    }
    const authorPage = await readPage(author);
    expect(authorPage.data.map((item) => item.id)).to.deep.equal([id]);
    expect(authorPage.data[0]).to.include({ content: 'hello, followers' });

    expect(await storedTimelineHas(outsider.id, id)).to.equal(false);
    const outsiderPage = await readPage(outsider);
    expect(outsiderPage.data.map((item) => item.id)).to.deep.equal([outsiderTweet]);
  });

  it('lists timelines newest first when several followed authors post', async () => {
    const reader = await registerUser();
    const authors = await registerUsers(3);
    for (const author of authors) await follow(reader, author);
    await readPage(reader);
    const posted: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const author of authors) posted.push((await postTweet(author, `round ${round}`)).id);
    }
    await waitForQueuesIdle();
    const page = await readPage(reader, { limit: 100 });
    expect(page.data.map((item) => item.id)).to.deep.equal(newestFirst(posted));
    expect(page.nextCursor).to.equal(null);
  });

  it('fans a tweet out to 10,000 followers in one job', async function () {
    this.timeout(60_000);
    const author = await registerUser();
    // A few followers with accounts, to read their timelines through the API: all but the
    // last have read theirs (so it exists); the last has never read it.
    const readers = await registerUsers(5);
    for (const reader of readers) await follow(reader, author);
    for (const reader of readers.slice(0, -1)) await readPage(reader);
    const neverRead = readers[readers.length - 1];
    const bulk = await insertFollowers(author.id, 10_000 - readers.length);
    const [{ followers }] = await sequelize.query<{ followers: number }>(
      'SELECT followers_count AS followers FROM users WHERE id = :id',
      { replacements: { id: author.id }, type: QueryTypes.SELECT },
    );
    expect(Number(followers)).to.equal(10_000);
    // A sample of the bulk followers gets a timeline, as reading it would build one.
    const sample = bulk.filter((_, i) => i % 250 === 0 || i === bulk.length - 1);
    for (const id of sample) await rebuildHome(id);
    await waitForQueuesIdle();
    const jobsBefore = await fanoutJobIds();

    const id = (await postTweet(author, 'hello, ten thousand')).id;
    const job = await waitForJob('fanout', `fanout:${id}`, 30_000);

    // One job for the tweet, not one per follower (nor per page of followers).
    const added = [...(await fanoutJobIds())].filter((jobId) => !jobsBefore.has(jobId));
    expect(added).to.deep.equal([`fanout:${id}`]);
    expect(job.data).to.deep.equal({ entryId: id });
    expect(job.returnvalue).to.deep.equal({ delivered: 10_000 });
    for (const reader of readers.slice(0, -1)) {
      expect(await storedTimelineHas(reader.id, id)).to.equal(true);
      expect((await readPage(reader)).data.map((item) => item.id)).to.deep.equal([id]);
    }
    for (const follower of sample) {
      expect(await storedTimelineHas(follower, id), `follower ${follower}`).to.equal(true);
    }
    // Fan-out does not create timelines nobody has read; the first read builds it from MySQL.
    expect(await redis.exists(keys.home(neverRead.id))).to.equal(0);
    expect((await readPage(neverRead)).data.map((item) => item.id)).to.deep.equal([id]);
  });
});
