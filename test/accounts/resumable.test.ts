import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ACCOUNT_REFERENCES_KEPT } from '../../app/accounts/purge';
import { sequelize } from '../../app/infra/db';
import { insertBlock } from '../../app/records/blocks';
import { insertMute } from '../../app/records/mutes';
import { createFollow, createTweet, createUser, createUsers } from '../helpers/factories';
import { api, bearer, type TestUser } from '../helpers/http';
import { eventually } from '../helpers/poll';
import type { RunningProcess } from '../helpers/processes';
import { engage, postTweet } from '../helpers/socialGraph';
import { startWorker, stopWorker } from '../helpers/workers';
import {
  columnsNamingUsers,
  counterMismatches,
  deleteAccount,
  expectDeleting,
  rowsNaming,
  waitForJobLocksToLapse,
  waitUntilGone,
} from './support';

/** Rows per batch: small, so the job takes many batches (and transactions) to finish. */
const BATCH = '3';

/** How many rows of `table` have `column` = `userId`. */
async function countOf(table: string, column: string, userId: string): Promise<number> {
  const [row] = await sequelize.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM \`${table}\` WHERE \`${column}\` = :userId`,
    { replacements: { userId }, type: QueryTypes.SELECT },
  );
  return Number(row.n);
}

/**
 * A user with many rows of every kind: 30 followers, 10 follows, 40 tweets and 3 replies
 * (liked, retweeted and replied to by others), likes, retweets and bookmarks of others'
 * tweets, blocks and mutes both ways, a mention.
 */
async function busyAccount(): Promise<{ victim: TestUser; others: TestUser[] }> {
  const victim = await createUser();
  const others = await createUsers(30);
  for (const other of others) await createFollow(other, victim);
  for (const other of others.slice(0, 10)) await createFollow(victim, other);
  const theirs: string[] = [];
  for (const other of others.slice(0, 10)) theirs.push(await createTweet(other));
  const mine: string[] = [];
  for (let i = 0; i < 40; i += 1) mine.push(await createTweet(victim));
  for (const id of theirs.slice(0, 3)) await createTweet(victim, 'a reply', { replyToId: id });
  for (let i = 0; i < 20; i += 1) await engage(others[i], 'post', 'like', mine[i]);
  for (let i = 0; i < 6; i += 1) await engage(others[i], 'post', 'retweet', mine[i]);
  await postTweet(others[12], 'a reply to the victim', { replyToId: mine[0] });
  for (const id of theirs) await engage(victim, 'post', 'like', id);
  for (const id of theirs.slice(0, 5)) await engage(victim, 'post', 'retweet', id);
  for (const id of theirs.slice(0, 5)) {
    const bookmark = await api().post(`/tweets/${id}/bookmark`).set(bearer(victim.accessToken));
    expect(bookmark.status).to.equal(200);
  }
  await sequelize.transaction(async (transaction) => {
    await insertBlock(victim.id, others[20].id, transaction);
    await insertBlock(others[21].id, victim.id, transaction);
    await insertMute(victim.id, others[22].id, transaction);
    await insertMute(others[23].id, victim.id, transaction);
  });
  await postTweet(others[24], `hello @${victim.username}`);
  return { victim, others };
}

describe('the account deletion job (workers/accounts.ts)', function () {
  this.timeout(180_000);
  let worker: RunningProcess | undefined;

  afterEach(async () => {
    await stopWorker(worker);
  });

  it('finishes with exact counters after its worker is killed half-way and another starts', async () => {
    worker = await startWorker({ ACCOUNT_DELETION_BATCH: BATCH });
    const { victim } = await busyAccount();
    const tweetsBefore = await countOf('tweets', 'author_id', victim.id);
    expect(tweetsBefore).to.equal(48); // 40 + 3 replies + 5 retweet entries
    expectDeleting(await deleteAccount(victim));

    // Killed once some of its rows are gone and most of its tweets are not.
    await eventually(
      async () => ({
        followers: await countOf('follows', 'followee_id', victim.id),
        tweets: await countOf('tweets', 'author_id', victim.id),
      }),
      ({ followers, tweets }) => followers < 30 && tweets > 10,
      'the job under way',
      30_000,
    );
    await worker.stop('SIGKILL');
    worker = undefined;
    const left = await countOf('tweets', 'author_id', victim.id);
    expect(left, 'tweets left when the worker was killed').to.be.greaterThan(0);

    await waitForJobLocksToLapse();
    worker = await startWorker({ ACCOUNT_DELETION_BATCH: BATCH });
    await waitUntilGone(victim.id, 90_000);

    const kept = new Set(ACCOUNT_REFERENCES_KEPT.map((c) => `${c.table}.${c.column}`));
    const columns = (await columnsNamingUsers()).filter((name) => !kept.has(name));
    expect(await rowsNaming(victim.id, columns)).to.deep.equal([]);
    expect(await counterMismatches()).to.deep.equal([]);
  });
});
