/**
 * `npm run db:migrate`: checks MySQL and Redis answer, creates the database when missing and
 * applies pending migrations. Run before the cluster starts by `npm start`.
 */
import { config } from '../../config';
import { createMigrator, ensureDatabase } from '../../migrations';
import { logger } from '../infra/logger';
import { runMigrationCommand } from './migrationCommand';

runMigrationCommand('migration', async (sequelize) => {
  await ensureDatabase(config.databaseUrl, config.databaseName);
  const applied = await createMigrator(sequelize).up();
  logger.info(
    { database: config.databaseName, applied: applied.map((m) => m.name) },
    applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date',
  );
  return 0;
});
