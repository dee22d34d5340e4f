import { insertFollowsBulk } from '../app/records/follows';
import { insertUsersBulk } from '../app/records/users';
import { distinctPicks, logNormalWeights, permutation, splitTotal, zipfPicker } from './graph';
import { bulkUsername } from './bulkNames';
import type { Progress } from './progress';
import { BatchWriter, RowBuffer, autoIncrementStep, insertedBlock, quote, sqlDate } from './sql';

/** What the phases of one bulk world share. */
export interface World {
  random: () => number;
  progress: Progress;
  /** Row id of user index i (ids fit a double exactly). */
  userIds: Float64Array;
}

/**
 * How skewed popularity is: followees are picked with probability ∝ 1/rank^1.1, so in a world
 * of 100,000 the first account gets about three quarters of everyone as followers and the
 * median account a handful. How many accounts each user follows is log-normal (σ = 1).
 */
const FOLLOWEE_EXPONENT = 1.1;
const FOLLOWING_SIGMA = 1.0;
const USER_BATCH = 2000;
const FOLLOW_BATCH = 5000;

/** Inserts `count` users sharing one password hash; answers their ids by index. */
export async function insertUsers(
  prefix: string,
  count: number,
  passwordHash: string,
  progress: Progress,
): Promise<Float64Array> {
  const ids = new Float64Array(count);
  const step = await autoIncrementStep();
  const hash = quote(passwordHash);
  const now = sqlDate(new Date());
  const writer = new BatchWriter(2);
  progress.start('users', count);
  for (let start = 0; start < count; start += USER_BATCH) {
    const rows: string[] = [];
    for (let i = start; i < Math.min(count, start + USER_BATCH); i += 1) {
      // Lower-case [a-z0-9_] only: the name is its own key, and needs no escaping.
      const name = bulkUsername(prefix, i);
      const email = `'${name}@bulk.chirp.localhost'`;
      // Tuples in USER_BULK_COLUMNS order.
      rows.push(`('${name}','${name}',${email},${email},'User ${i}',${hash},${now},${now})`);
    }
    await writer.submit(async () => {
      const block = insertedBlock('users', rows.length, await insertUsersBulk(rows));
      for (let k = 0; k < block.count; k += 1) ids[start + k] = block.firstId + k * step;
      progress.advance(block.count);
    });
  }
  await writer.drain();
  return ids;
}

/**
 * Inserts exactly `total` follows: each user follows a log-normal number of distinct others,
 * picked by Zipf popularity. Never a self-follow, never the same pair twice.
 */
export async function insertFollows(world: World, total: number): Promise<void> {
  const { random, userIds, progress } = world;
  const n = userIds.length;
  const following = splitTotal(total, logNormalWeights(random, n, FOLLOWING_SIGMA), n - 1);
  const pickFollowee = zipfPicker(random, permutation(random, n), FOLLOWEE_EXPONENT);
  const now = sqlDate(new Date());
  progress.start('follows', total);
  const buffer = new RowBuffer(FOLLOW_BATCH, 2, async (rows) => {
    // Tuples in FOLLOW_BULK_COLUMNS order.
    insertedBlock('follows', rows.length, await insertFollowsBulk(rows));
    progress.advance(rows.length);
  });
  for (let follower = 0; follower < n; follower += 1) {
    const followees = distinctPicks(following[follower], pickFollowee, n, random, follower);
    await buffer.push(
      followees.map((followee) => `(${userIds[follower]},${userIds[followee]},${now})`),
    );
  }
  await buffer.finish();
}
