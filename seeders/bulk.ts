import { randomInt } from 'node:crypto';
import { config } from '../config';
import { rebuildTrending } from '../app/hashtags/trending';
import { hashPassword } from '../app/auth/passwords';
import { mostFollowingIds, usernamePrefixInUse } from '../app/records/users';
import { BULK_PASSWORD, bulkUsername } from './bulkNames';
import { insertFollows, insertUsers, type World } from './bulkUsers';
import { BulkEntities } from './bulkEntities';
import { insertLikes, insertTweets } from './bulkTweets';
import { COUNTER_STEPS, recountAll, type IdRange } from './counters';
import { createRandom } from './graph';
import { Progress } from './progress';
import { warmHomeTimelines } from './warm';

export interface BulkOptions {
  users: number;
  tweets: number;
  follows: number;
  likes: number;
  /** Home timelines to build in Redis: those of the users following the most accounts. */
  warm: number;
  /** 1-8 of [a-z0-9]; a fresh random one when absent. */
  prefix?: string;
  seed?: number;
}

const WARM_CONCURRENCY = 4;

/** A prefix no account uses yet: `b` and four random base-36 characters. */
async function freshPrefix(): Promise<string> {
  for (;;) {
    const prefix = `b${randomInt(36 ** 4)
      .toString(36)
      .padStart(4, '0')}`;
    if (!(await usernamePrefixInUse(prefix))) return prefix;
  }
}

/** The lowest and the highest of some ids. */
function extremes(ids: Float64Array): IdRange {
  let [from, to] = [Number.MAX_SAFE_INTEGER, 0];
  for (const id of ids) [from, to] = [Math.min(from, id), Math.max(to, id)];
  return { from, to };
}

/**
 * Generates a world of `users` accounts with a heavy-tailed follower graph, tweets, replies,
 * retweets and likes, all through multi-row INSERTs; then makes every counter exact and
 * warms the busiest home timelines. Prints a summary on stdout.
 */
export async function seedBulk(options: BulkOptions): Promise<void> {
  if (options.prefix && (await usernamePrefixInUse(options.prefix))) {
    throw new Error(`prefix "${options.prefix}" is taken: pick another or leave it out`);
  }
  const prefix = options.prefix ?? (await freshPrefix());
  const seed = options.seed ?? randomInt(2 ** 31);
  const progress = new Progress();
  const passwordHash = await hashPassword(BULK_PASSWORD);
  const userIds = await insertUsers(prefix, options.users, passwordHash, progress);
  const world: World = { random: createRandom(seed), progress, userIds };
  await insertFollows(world, options.follows);
  const entities = new BulkEntities(world.random, prefix, userIds);
  const tweets = await insertTweets(world, options.tweets, entities);
  await insertLikes(world, tweets.postIds, options.likes);

  // Batches written side by side may take their ids in either order: use the extremes.
  const users = extremes(userIds);
  progress.start('counters', COUNTER_STEPS);
  await recountAll(users, tweets.ids, () => progress.advance(1));
  const warm = await mostFollowingIds(users, options.warm);
  progress.start('timelines', warm.length);
  await warmHomeTimelines(warm, WARM_CONCURRENCY, () => progress.advance(1));
  // Tags of the last day's bulk posts were written behind the API's back: count them in.
  progress.start('trending', 1);
  await rebuildTrending();
  progress.end();

  const [first, last] = [bulkUsername(prefix, 0), bulkUsername(prefix, options.users - 1)];
  process.stdout.write(
    [
      `Bulk world "${prefix}" (seed ${seed}) in ${progress.elapsed()} s:`,
      `  ${options.users} users (${first} … ${last}), ${options.follows} follows, ` +
        `${options.tweets} tweets (${tweets.originals} originals, ${tweets.replies} replies, ` +
        `${tweets.retweets} retweets), ${options.likes} likes, ${warm.length} home timelines warmed`,
      `  ${entities.totals.mentions} mentions (${entities.totals.notifications} notified), ` +
        `${entities.totals.hashtags} hashtags`,
      `  ${progress.timings.map((t) => `${t.name} ${t.seconds} s`).join(', ')}`,
      `Every bulk user's password is "${BULK_PASSWORD}". Sign in as one of them:`,
      `  curl -s -X POST ${config.publicUrl}/auth/login -H 'Content-Type: application/json' \\`,
      `    -d '{"username":"${first}","password":"${BULK_PASSWORD}"}'`,
      '',
    ].join('\n'),
  );
}
