/**
 * `node dist/app/cli/rollback.js` (or `npx tsx app/cli/rollback.ts`): reverts the most recent
 * applied migration, one per run. Run it from the release that added that migration (only it
 * holds the `down`); docs/operations.md gives the order of a rollback.
 */
import { config } from '../../config';
import { createMigrator } from '../../migrations';
import { logger } from '../infra/logger';
import { runMigrationCommand } from './migrationCommand';

runMigrationCommand('rollback', async (sequelize) => {
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
  return 0;
});
