import { execute } from '../infra/db';

/**
 * Seeding: sets counter columns to what the rows say, for the tweets and users data modules.
 * One `UPDATE … JOIN (SELECT … GROUP BY)` per counter instead of a row-by-row tally.
 */

/** Rows a seeder recounts: an id range (a bulk world) or a list of ids (the demo world). */
export type RecountScope = { from: number; to: number } | { ids: string[] };

/** What a counter column counts: the rows of table `from` whose column `key` names the row. */
export type Counted = Record<string, { from: string; key: string }>;

/**
 * Sets each counter of `table`'s rows in scope (`counted`: column → what it counts) and, on a
 * changed row, `alsoSet` (e.g. a version bump). Calls `onStep` after each counter; answers
 * how many rows changed.
 */
export async function recountCounters(
  table: string,
  counted: Counted,
  scope: RecountScope,
  { alsoSet = '', onStep = () => undefined }: { alsoSet?: string; onStep?: () => void } = {},
): Promise<number> {
  const inScope = (column: string) =>
    'ids' in scope ? `${column} IN (:ids)` : `${column} BETWEEN :from AND :to`;
  const replacements =
    'ids' in scope ? { ids: scope.ids.length > 0 ? scope.ids : ['0'] } : { ...scope };
  let changed = 0;
  for (const [counter, { from, key }] of Object.entries(counted)) {
    const result = await execute(
      `UPDATE ${table} t
       LEFT JOIN (SELECT ${key} AS id, COUNT(*) AS n FROM ${from}
                  WHERE ${inScope(key)} GROUP BY ${key}) c ON c.id = t.id
       SET ${alsoSet}t.${counter} = COALESCE(c.n, 0)
       WHERE ${inScope('t.id')} AND t.${counter} <> COALESCE(c.n, 0)`,
      { replacements },
    );
    changed += result.affectedRows;
    onStep();
  }
  return changed;
}
