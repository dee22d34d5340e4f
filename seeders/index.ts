/**
 * `npm run db:seed` loads the small demo world (idempotent); `npm run db:seed -- --users N
 * --tweets M [--follows F] [--likes L] [--warm K] [--prefix P] [--seed S]` adds a bulk world
 * for load tests. Either way the database is created and migrated first when needed.
 */
import { parseArgs } from 'node:util';
import { sequelize } from '../app/infra/db';
import { logger, setProcessRole } from '../app/infra/logger';
import { closeRedis } from '../app/infra/redis';
import { seedBulk, type BulkOptions } from './bulk';
import { tweetMix } from './bulkTweets';
import { seedDemo } from './demo';
import { prepareDatabase } from './prepare';

const USAGE = `Usage:
  npm run db:seed                      the demo world (safe to run again)
  npm run db:seed -- --users N --tweets M [--follows F] [--likes L] [--warm K] [--prefix P] [--seed S]
                                       a bulk world: F follows (default 20 per user), L likes
                                       (default M), K warm home timelines (default 1000),
                                       usernames <P>_<n> (P: 1-8 of [a-z0-9], fresh by default)`;

class UsageError extends Error {}

function count(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be a whole number (got "${value}")`);
  }
  return Number(value);
}

/** The bulk options from the command line, or null for the demo world. */
function parseBulkOptions(argv: string[]): BulkOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: Object.fromEntries(
      ['users', 'tweets', 'follows', 'likes', 'warm', 'prefix', 'seed'].map((name) => [
        name,
        { type: 'string' as const },
      ]),
    ),
  });
  if (Object.keys(values).length === 0) return null;
  const users = count(values.users, 'users');
  const tweets = count(values.tweets, 'tweets');
  const options: BulkOptions = {
    users,
    tweets,
    follows: count(values.follows, 'follows', Math.min(20 * users, users * (users - 1))),
    likes: count(values.likes, 'likes', tweets),
    warm: count(values.warm, 'warm', 1000),
    prefix: values.prefix,
    seed: values.seed === undefined ? undefined : count(values.seed, 'seed'),
  };
  const mix = tweetMix(tweets);
  const posts = mix.original + mix.reply;
  if (users < 1) throw new UsageError('--users must be at least 1');
  if (options.follows > users * (users - 1)) {
    throw new UsageError(`--follows can be at most users × (users - 1) = ${users * (users - 1)}`);
  }
  if (options.likes > users * posts) {
    throw new UsageError(`--likes can be at most users × posts = ${users * posts}`);
  }
  if (options.prefix !== undefined && !/^[a-z0-9]{1,8}$/.test(options.prefix)) {
    throw new UsageError('--prefix must be 1-8 of [a-z0-9]');
  }
  return options;
}

async function main(): Promise<void> {
  setProcessRole('cli');
  const bulk = parseBulkOptions(process.argv.slice(2));
  await prepareDatabase();
  if (bulk) await seedBulk(bulk);
  else await seedDemo();
}

main()
  .then(async () => {
    await sequelize.close();
    await closeRedis();
  })
  .catch((error: unknown) => {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      process.exit(64); // EX_USAGE
    }
    logger.debug({ err: error }, 'seeding failed');
    process.stderr.write(
      `Seeding failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
