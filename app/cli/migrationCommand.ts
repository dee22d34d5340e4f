import type { Sequelize } from 'sequelize';
import { config } from '../../config';
import { createSequelize } from '../infra/db';
import { logger, setProcessRole } from '../infra/logger';
import { exitUnlessServicesAnswer } from '../infra/preflight';

/**
 * Runs a migration command (migrate, rollback): checks MySQL and Redis answer, opens one
 * connection to the primary only (the record of applied migrations must not be read from a
 * lagging replica), runs `work`, closes, and exits with its code.
 */
export function runMigrationCommand(
  what: string,
  work: (sequelize: Sequelize) => Promise<number>,
): void {
  const main = async (): Promise<number> => {
    setProcessRole('cli');
    await exitUnlessServicesAnswer();
    const sequelize = createSequelize(config.databaseUrl, 1, []);
    try {
      return await work(sequelize);
    } finally {
      await sequelize.close();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      logger.error({ err: error }, `${what} failed`);
      process.exit(1);
    },
  );
}
