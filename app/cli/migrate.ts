/**
 * `npm run db:migrate`: checks MySQL and Redis answer, creates the database when missing and
 * applies pending migrations. Run before the cluster starts by `npm start`.
 */
import { config } from '../../config';
import { createMigrator, ensureDatabase } from '../../migrations';
import { createSequelize } from '../infra/db';
import { logger, setProcessRole } from '../infra/logger';
import { exitUnlessServicesAnswer } from '../infra/preflight';

async function main(): Promise<number> {
  setProcessRole('cli');
  await exitUnlessServicesAnswer();
  await ensureDatabase(config.databaseUrl, config.databaseName);
  // The primary only: the record of applied migrations must not be read from a lagging replica.
  const sequelize = createSequelize(config.databaseUrl, 1, []);
  try {
    const applied = await createMigrator(sequelize).up();
    logger.info(
      { database: config.databaseName, applied: applied.map((m) => m.name) },
      applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date',
    );
  } finally {
    await sequelize.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    logger.error({ err: error }, 'migration failed');
    process.exit(1);
  },
);
