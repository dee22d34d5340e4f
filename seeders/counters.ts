import { TWEET_COUNTER_COUNT, recountTweetCounters } from '../app/records/tweets';
import { USER_COUNTER_COUNT, recountUserCounters } from '../app/records/users';

/**
 * Sets the denormalised counters of users and tweets to exactly what the rows say, with one
 * `UPDATE … JOIN (SELECT … GROUP BY)` per counter instead of a row-by-row tally (each in its
 * table's data module: app/records/users.ts, app/records/tweets.ts).
 */

/** Which rows to recount: an id range (a bulk world) or a list of ids (the demo world). */
export type IdScope = IdRange | { ids: string[] };

/** Ids from `from` to `to`, both included. */
export interface IdRange {
  from: number;
  to: number;
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
  const changed = await recountUserCounters(users, onStep);
  return changed + (await recountTweetCounters(tweets, onStep));
}

/** The number of counters `recountAll` runs (for progress). */
export const COUNTER_STEPS = USER_COUNTER_COUNT + TWEET_COUNTER_COUNT;
