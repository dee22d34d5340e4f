import { config } from '../../config';
import { createMigrator, ensureDatabase } from '../../migrations';
import { sequelize } from '../../app/infra/db';
import { redis } from '../../app/infra/redis';

/**
 * Creates and migrates the configured database, empties every table but the migration
 * record, and flushes the configured Redis logical database. For stores a run owns alone
 * (the suite's, the benchmark's).
 */
export async function resetStores(): Promise<void> {
  await ensureDatabase(config.databaseUrl, config.databaseName);
  await createMigrator(sequelize).up();
  const tables = (await sequelize.getQueryInterface().showAllTables()).filter(
    (table) => table !== 'schema_migrations',
  );
  // No foreign keys between the hot tables, but users are referenced by tokens and resets.
  const order = (table: string) => (table === 'users' ? 1 : 0);
  for (const table of tables.sort((a, b) => order(a) - order(b))) {
    await sequelize.query(`DELETE FROM \`${table}\``);
  }
  await redis.flushdb();
}

/** Creates and migrates the test database, empties its tables and the test Redis database. */
export async function prepareTestStores(): Promise<void> {
  if (!config.isTest) throw new Error('refusing to prepare stores outside NODE_ENV=test');
  // The suite's own database and logical Redis database (see test/setup.ts).
  await resetStores();
}
