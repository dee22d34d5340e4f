import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { insertUsers } from '../bench/world';
import { PLAN_CASES, explain, formatPlan, planProblems, type PlanSamples } from './planCases';

/**
 * Search and hashtag reads never scan a table (issue 14): each statement of planCases.ts,
 * EXPLAINed on enough rows that a scan would show, reads every table by the index its case
 * names. Set PRINT_PLANS=1 to print the plans; `npx tsx test/search/explain.ts` prints them on
 * any database (a bulk seed's, for a closing note).
 */
const USERS_PER_PREFIX = 20;
const PREFIXES = 200;
const TWEETS = 6000;

/** A lowercase word of `length` letters no other run of this file shares. */
const randomWord = (length: number) =>
  Array.from({ length }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');

/** `count` tweets by `authors`, each of 8 words from `vocabulary`, in multi-row INSERTs. */
async function insertTweets(authors: string[], vocabulary: string[], count: number) {
  for (let start = 0; start < count; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - start) }, (_, i) => {
      const words = Array.from(
        { length: 8 },
        (_, j) => vocabulary[(start + i * 7 + j * 13) % vocabulary.length],
      );
      return `(${authors[(start + i) % authors.length]}, '${words.join(' ')}', UTC_TIMESTAMP(3))`;
    });
    await sequelize.query(
      `INSERT INTO tweets (author_id, content, created_at) VALUES ${rows.join(',')}`,
    );
  }
}

describe('Search query plans', function () {
  this.timeout(60_000);

  const prefixes = Array.from({ length: PREFIXES }, () => randomWord(6));
  const vocabulary = Array.from({ length: 400 }, () => randomWord(7));
  const tags = Array.from({ length: 50 }, () => randomWord(8));
  const samples: PlanSamples = {
    userPrefix: prefixes[0].slice(0, 4),
    tweetWords: `${vocabulary[0]} ${vocabulary[13]}`,
    belowTweetId: '',
    tag: tags[0],
  };

  before(async () => {
    const users: string[] = [];
    for (const prefix of prefixes) {
      users.push(...(await insertUsers(sequelize, prefix, USERS_PER_PREFIX)));
    }
    const [{ last }] = await sequelize.query<{ last: string }>(
      'SELECT COALESCE(MAX(id), 0) AS last FROM tweets',
      { type: QueryTypes.SELECT },
    );
    await insertTweets(users, vocabulary, TWEETS);
    // Each new tweet uses one of the tags in turn: the sample tag's rows among many others'.
    await sequelize.query(
      `INSERT INTO tweet_hashtags (tag, tweet_id, author_id, created_at)
       SELECT ELT(1 + id % :count, :tags), id, author_id, created_at FROM tweets WHERE id > :last`,
      { replacements: { count: tags.length, tags, last } },
    );
    // Fresh statistics, as a server that has run a while has: the plans must hold on them.
    await sequelize.query('ANALYZE TABLE users, tweets, tweet_hashtags');
    const [{ id }] = await sequelize.query<{ id: string }>('SELECT MAX(id) AS id FROM tweets', {
      type: QueryTypes.SELECT,
    });
    samples.belowTweetId = String(BigInt(id) - BigInt(TWEETS / 2));
  });

  for (const planCase of PLAN_CASES) {
    it(`${planCase.name}: reads by its index, never a scan`, async () => {
      const plan = await explain(sequelize, planCase.statement(samples));
      if (process.env.PRINT_PLANS) {
        process.stdout.write(`\n${planCase.name}\n${formatPlan(plan)}\n`);
      }
      expect(planProblems(planCase, plan), formatPlan(plan)).to.deep.equal([]);
    });
  }
});
