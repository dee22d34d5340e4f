import { config } from '../../config';
import { createMigrator, ensureDatabase } from '../../migrations';
import { sequelize } from '../../app/infra/db';
import { redis } from '../../app/infra/redis';

/** Tables emptied before the suite runs (children first). */
const TABLES = [
  'outbox',
  'notifications',
  'likes',
  'follows',
  'tweets',
  'password_resets',
  'refresh_tokens',
  'users',
];

/** Creates and migrates the test database, empties its tables and the test Redis database. */
export async function prepareTestStores(): Promise<void> {
  if (!config.isTest) throw new Error('refusing to prepare stores outside NODE_ENV=test');
  await ensureDatabase(config.databaseUrl, config.databaseName);
  await createMigrator(sequelize).up();
  for (const table of TABLES) await sequelize.query(`DELETE FROM \`${table}\``);
  // The suite's own logical database (see test/setup.ts): nothing else lives there.
  await redis.flushdb();
}
