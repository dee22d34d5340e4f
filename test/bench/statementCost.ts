/**
 * `npx tsx test/bench/statementCost.ts`: this process's CPU per SQL statement, in µs, for the
 * same SELECT (a tweet with its author, as the tweet cache reads it) run inside a transaction
 * through `sequelize.query` and through `select` (app/infra/db.ts, the driver's connection),
 * alternating rounds of N statements each (N=5000). What decision 0020 measured. Uses the
 * bench's database (BENCH_DATABASE_URL, default chirp_bench: run `npm run bench` once first).
 */
import { QueryTypes, type Transaction } from 'sequelize';

process.env.DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/chirp_bench';
process.env.LOG_LEVEL = 'warn';

const N = Number(process.env.N ?? 5000);
const ROUNDS = 3;
const SQL = `SELECT t.id, t.author_id AS authorId, u.username, u.display_name AS displayName,
       t.content, t.created_at AS createdAt
     FROM tweets t JOIN users u ON u.id = t.author_id WHERE t.id IN (:ids)`;

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function main(): Promise<void> {
  const { inTransaction, select, sequelize } = await import('../../app/infra/db');
  const ways: [string, (i: number, transaction: Transaction) => Promise<unknown>][] = [
    [
      'sequelize.query',
      (i, transaction) =>
        sequelize.query(SQL, {
          replacements: { ids: [String(i)] },
          type: QueryTypes.SELECT,
          transaction,
        }),
    ],
    [
      'select (driver)',
      (i, transaction) => select(SQL, { replacements: { ids: [String(i)] }, transaction }),
    ],
  ];
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [name, statement] of ways) {
        await inTransaction(async (transaction) => {
          for (let i = 0; i < 500; i += 1) await statement(i, transaction); // warm
          const before = cpuMicros();
          for (let i = 0; i < N; i += 1) await statement(i, transaction);
          const perStatement = (cpuMicros() - before) / N;
          console.log(`round ${round}  ${name.padEnd(16)} ${perStatement.toFixed(1)} µs CPU`);
        });
      }
    }
  } finally {
    await sequelize.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
