/**
 * Prints the plans of the search statements (test/search/planCases.ts) on any database, for
 * a closing note or a review, with what queryPlans.test.ts would say of each:
 *
 *   DATABASE_URL=mysql://root@127.0.0.1:3306/chirp npx tsx test/search/explain.ts [prefix] [words] [tag]
 *
 * `prefix` is a user name prefix (default `ada`), `words` the words of a tweet search
 * (default `redis latency`), `tag` a hashtag (default `coffee`); a later tweet or hashtag page
 * continues below the middle tweet id.
 */
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { closeRedis } from '../../app/infra/redis';
import { PLAN_CASES, explain, formatPlan, planProblems } from './planCases';

async function main(): Promise<void> {
  const [userPrefix = 'ada', tweetWords = 'redis latency', tag = 'coffee'] = process.argv.slice(2);
  const [{ users, tweets, middle }] = await sequelize.query<{
    users: number;
    tweets: number;
    middle: string | null;
  }>(
    `SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM tweets) AS tweets,
            (SELECT (MIN(id) + MAX(id)) DIV 2 FROM tweets) AS middle`,
    { type: QueryTypes.SELECT },
  );
  process.stdout.write(
    `${sequelize.getDatabaseName()}: ${users} users, ${tweets} tweets; ` +
      `user prefix "${userPrefix}", tweet words "${tweetWords}", tag "${tag}"\n`,
  );
  const samples = { userPrefix, tweetWords, belowTweetId: String(middle ?? 1), tag };
  for (const planCase of PLAN_CASES) {
    const plan = await explain(sequelize, planCase.statement(samples));
    const problems = planProblems(planCase, plan);
    const verdict = problems.length === 0 ? 'ok: no scan' : `PROBLEM: ${problems.join('; ')}`;
    process.stdout.write(`\n${planCase.name} (${verdict})\n${formatPlan(plan)}\n`);
  }
}

void main()
  .then(
    () => 0,
    (error: unknown) => {
      process.stderr.write(
        `explain failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return 1;
    },
  )
  .then(async (code) => {
    await sequelize.close();
    await closeRedis();
    process.exit(code);
  });
