import { Sequelize } from 'sequelize';
import { config } from '../../config';
import { logger } from './logger';

/** Sequelize options shared by the app's pool and the migration runner. */
export function createSequelize(databaseUrl = config.databaseUrl, poolMax = 10): Sequelize {
  return new Sequelize(databaseUrl, {
    dialect: 'mysql',
    logging: (sql) => logger.trace({ sql }, 'sql'),
    timezone: '+00:00',
    benchmark: false,
    dialectOptions: {
      // 64-bit ids come back as strings, never as rounded JS numbers.
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
      connectTimeout: 5000,
    },
    define: {
      underscored: true,
      charset: 'utf8mb4',
      collate: 'utf8mb4_unicode_ci',
    },
    pool: { max: poolMax, min: 0, idle: 10_000, acquire: 10_000 },
  });
}

/** The process-wide connection pool. */
export const sequelize = createSequelize();
