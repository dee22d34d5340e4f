import { QueryTypes, type Sequelize } from 'sequelize';
import {
  tweetSearchStatement,
  userSearchStatement,
  type Statement,
} from '../../app/records/search';
import { USER_SEARCH_CAP, booleanTerms } from '../../app/search/service';
import { hashtagPageStatement } from '../../app/records/hashtags';

/**
 * The statements whose plans must never scan a table, each built by the data module's own
 * builder (so the plan is that of the SQL production sends), with what its plan must read.
 * Used by test/search/queryPlans.test.ts and printed by test/search/explain.ts.
 */
/** What the sample queries look for, filled in once the test's rows exist. */
export interface PlanSamples {
  /** A user name prefix matching a few users. */
  userPrefix: string;
  /** Words some tweets hold. */
  tweetWords: string;
  /** An id below which a later tweet search page continues. */
  belowTweetId: string;
  /** A tag some tweets use, among many other tags' tweets. */
  tag: string;
}

export interface PlanCase {
  name: string;
  statement: (samples: PlanSamples) => Statement;
  /** Every table the plan reads, with the index it must read it by (in any order). */
  reads: { table: string; key: string }[];
  /** Also refuse "Using filesort" (a list read in index order needs no sort). */
  noFilesort?: boolean;
}

function tweetTerms(words: string): string {
  const terms = booleanTerms(words);
  if (terms === null) throw new Error(`no indexable word in "${words}"`);
  return terms;
}

export const PLAN_CASES: PlanCase[] = [
  {
    name: 'user search: username and display-name prefix, the capped ranking of a first page',
    statement: (samples) => userSearchStatement(samples.userPrefix, USER_SEARCH_CAP),
    reads: [
      { table: 'users', key: 'users_username_key' },
      { table: 'users', key: 'users_display_name' },
    ],
  },
  {
    name: 'tweet search: FULLTEXT words, first page',
    statement: (samples) => tweetSearchStatement(tweetTerms(samples.tweetWords), undefined, 21),
    reads: [{ table: 'tweets', key: 'tweets_content_ft' }],
  },
  {
    name: 'tweet search: FULLTEXT words, a later page',
    statement: (samples) =>
      tweetSearchStatement(tweetTerms(samples.tweetWords), samples.belowTweetId, 21),
    reads: [{ table: 'tweets', key: 'tweets_content_ft' }],
  },
  {
    name: "hashtag page: a tag's tweets newest first, first page",
    statement: (samples) => hashtagPageStatement(samples.tag, undefined, 21),
    reads: [{ table: 'tweet_hashtags', key: 'PRIMARY' }],
    noFilesort: true,
  },
  {
    name: "hashtag page: a tag's tweets newest first, a later page",
    statement: (samples) => hashtagPageStatement(samples.tag, samples.belowTweetId, 21),
    reads: [{ table: 'tweet_hashtags', key: 'PRIMARY' }],
    noFilesort: true,
  },
];

/** One row of MariaDB's / MySQL's EXPLAIN. */
export interface PlanRow {
  id: number | null;
  select_type: string;
  table: string | null;
  type: string | null;
  possible_keys: string | null;
  key: string | null;
  rows: number | null;
  Extra: string | null;
}

/** The plan of a statement, its named replacements filled in as the driver does. */
export function explain(sequelize: Sequelize, { sql, replacements }: Statement) {
  return sequelize.query<PlanRow>(`EXPLAIN ${sql}`, { replacements, type: QueryTypes.SELECT });
}

/** The plan as aligned text, for a reader (the closing note of a change, a review). */
export function formatPlan(rows: PlanRow[]): string {
  const columns = ['id', 'select_type', 'table', 'type', 'key', 'rows', 'Extra'] as const;
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? 'NULL')));
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((line) => line[i].length)),
  );
  const line = (values: readonly string[]) =>
    values.map((value, i) => value.padEnd(widths[i])).join('  ');
  return [line(columns), ...cells.map(line)].join('\n');
}

/** Problems with a plan: a table read by a scan, by another index, or a sort refused. */
export function planProblems(planCase: PlanCase, plan: PlanRow[]): string[] {
  // Rows of `<derived2>`, `<union2,3>`: the statement's own small results, not tables.
  const tableReads = plan.filter((row) => row.table !== null && !row.table.startsWith('<'));
  const problems = tableReads
    .filter((row) => row.type === 'ALL' || row.type === 'index')
    .map((row) => `${row.table} is scanned (type ${row.type})`);
  const seen = tableReads.map((row) => `${row.table} by ${row.key}`).sort();
  const wanted = planCase.reads.map((read) => `${read.table} by ${read.key}`).sort();
  if (JSON.stringify(seen) !== JSON.stringify(wanted)) {
    problems.push(`reads ${seen.join(', ')}; expected ${wanted.join(', ')}`);
  }
  if (planCase.noFilesort && plan.some((row) => row.Extra?.includes('Using filesort'))) {
    problems.push('sorts its rows (Using filesort)');
  }
  return problems;
}
