import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { TWEET_DEPENDANTS, TWEET_REFERENCES_KEPT } from '../../app/tweets/dependants';

/**
 * Columns of the migrated schema that hold a tweet's id: foreign keys to tweets(id), and
 * columns named like one (Chirp declares no foreign keys between its tables today).
 */
async function columnsReferencingTweets(): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(
    `SELECT DISTINCT CONCAT(c.TABLE_NAME, '.', c.COLUMN_NAME) AS name
       FROM information_schema.COLUMNS c
       LEFT JOIN information_schema.KEY_COLUMN_USAGE k
         ON k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME
        AND k.COLUMN_NAME = c.COLUMN_NAME AND k.REFERENCED_TABLE_NAME = 'tweets'
      WHERE c.TABLE_SCHEMA = DATABASE()
        AND (k.COLUMN_NAME IS NOT NULL OR c.COLUMN_NAME LIKE '%tweet\\_id'
             OR c.COLUMN_NAME IN ('retweet_of_id', 'reply_to_id'))
      ORDER BY name`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.name);
}

const named = (column: { table: string; column: string }) => `${column.table}.${column.column}`;

describe('deleting a tweet: its dependants (app/tweets/dependants.ts)', () => {
  it('declares every column that holds a tweet id, as a dependant or as kept', async () => {
    const declared = new Set([...TWEET_DEPENDANTS, ...TWEET_REFERENCES_KEPT].map(named));
    const undeclared = (await columnsReferencingTweets()).filter((name) => !declared.has(name));
    expect(undeclared, 'columns deleteTweet would leave pointing at a deleted tweet').to.deep.equal(
      [],
    );
  });

  it('declares only columns the schema has, each once', async () => {
    const columns = new Set(await columnsReferencingTweets());
    const declared = [...TWEET_DEPENDANTS, ...TWEET_REFERENCES_KEPT].map(named);
    expect(declared.filter((name) => !columns.has(name))).to.deep.equal([]);
    expect(new Set(declared).size).to.equal(declared.length);
  });

  it('gives the reason each kept column outlives its tweet', () => {
    for (const kept of TWEET_REFERENCES_KEPT) expect(kept.reason, named(kept)).to.not.equal('');
  });
});
