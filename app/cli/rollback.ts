/**
 * `node dist/app/cli/rollback.js` (or `npx tsx app/cli/rollback.ts`): reverts the most recent
 * applied migration, one per run. Run it from the release that added that migration (only it
 * holds the `down`); docs/operations.md gives the order of a rollback.
 */
import { config } from '../../config';
import { createMigrator } from '../../migrations';
import { createSequelize } from '../infra/db';
import { logger, setProcessRole } from '../infra/logger';
import { exitUnlessServicesAnswer } from '../infra/preflight';

async function main(): Promise<number> {
  setProcessRole('cli');
  await exitUnlessServicesAnswer();
  // The primary only: the record of applied migrations must not be read from a lagging replica.
  const sequelize = createSequelize(config.databaseUrl, 1, []);
  try {
    const migrator = createMigrator(sequelize);
    // Umzug reverts the newest migration *this build knows*: from an older build that would
    // be one the older code still needs, not the one the newer release applied.
    const applied = await migrator.options.storage!.executed({
      context: sequelize.getQueryInterface(),
    });
    const known = new Set((await migrator.executed()).map((m) => m.name));
    const unknown = applied.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      process.stderr.write(
        `The database has migrations this build does not have (${unknown.join(', ')}): ` +
          'run the rollback from the release that added them.\n',
      );
      return 1;
    }
    const reverted = await migrator.down({ step: 1 });
    logger.info(
      { database: config.databaseName, reverted: reverted.map((m) => m.name) },
      reverted.length ? `reverted ${reverted[0].name}` : 'no migration to revert',
    );
  } finally {
    await sequelize.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    logger.error({ err: error }, 'rollback failed');
    process.exit(1);
  },
);
