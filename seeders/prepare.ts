import { config } from '../config';
import { createMigrator, ensureDatabase } from '../migrations';
import { sequelize } from '../app/infra/db';
import { exitUnlessServicesAnswer } from '../app/infra/preflight';

/**
 * What the seeder needs before it writes, so that it works right after `npm ci`: MySQL and
 * Redis answer (else a sentence saying how to start them), the database exists and every
 * migration is applied.
 */
export async function prepareDatabase(): Promise<void> {
  await exitUnlessServicesAnswer();
  await ensureDatabase(config.databaseUrl, config.databaseName);
  await createMigrator(sequelize).up();
}
