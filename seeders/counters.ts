import { execute } from '../app/infra/db';
import { TWEET_COUNTER_COUNT, recountTweetCounters } from '../app/tweets/records';

/**
 * Sets the denormalised counters of users and tweets to exactly what the rows say, with one
 * `UPDATE … JOIN (SELECT … GROUP BY)` per counter instead of a row-by-row tally (the tweets'
 * in their data module, app/tweets/records.ts).
 */

/** Which rows to recount: an id range (a bulk world) or a list of ids (the demo world). */
export type IdScope = IdRange | { ids: string[] };

/** Ids from `from` to `to`, both included. */
export interface IdRange {
  from: number;
  to: number;
}

function where(column: string, scope: IdScope): string {
  return 'ids' in scope ? `${column} IN (:ids)` : `${column} BETWEEN :from AND :to`;
}

const replacementsOf = (scope: IdScope): Record<string, unknown> =>
  'ids' in scope ? { ids: scope.ids.length > 0 ? scope.ids : ['0'] } : { ...scope };

interface CounterSource {
  table: 'users';
  counter: string;
  /** The rows counted: `FROM …` and the column that names the counted row's id. */
  from: string;
  key: string;
}

const USER_COUNTERS: CounterSource[] = [
  { table: 'users', counter: 'followers_count', from: 'follows', key: 'followee_id' },
  { table: 'users', counter: 'following_count', from: 'follows', key: 'follower_id' },
  // Retweets are rows of their author too, as the API counts them.
  { table: 'users', counter: 'tweets_count', from: 'tweets', key: 'author_id' },
];

/** Recounts one counter; answers how many rows changed. */
async function recount(source: CounterSource, scope: IdScope): Promise<number> {
  const { table, counter, from, key } = source;
  const result = await execute(
    `UPDATE ${table} t
     LEFT JOIN (SELECT ${key} AS id, COUNT(*) AS n FROM ${from}
                WHERE ${where(key, scope)} GROUP BY ${key}) c ON c.id = t.id
     SET t.${counter} = COALESCE(c.n, 0)
     WHERE ${where('t.id', scope)} AND t.${counter} <> COALESCE(c.n, 0)`,
    { replacements: replacementsOf(scope) },
  );
  return result.affectedRows;
}

/**
 * Recounts the users' and the tweets' counters in scope, calling `onStep` after each of the
 * six; answers how many rows were corrected.
 */
export async function recountAll(
  users: IdScope,
  tweets: IdScope,
  onStep: () => void = () => undefined,
): Promise<number> {
  let changed = 0;
  for (const source of USER_COUNTERS) {
    changed += await recount(source, users);
    onStep();
  }
  return changed + (await recountTweetCounters(tweets, onStep));
}

/** The number of counters `recountAll` runs (for progress). */
export const COUNTER_STEPS = USER_COUNTERS.length + TWEET_COUNTER_COUNT;
