import path from 'node:path';
import mysql from 'mysql2/promise';
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type MigrationFn } from 'umzug';
import { logger } from '../app/infra/logger';

/** The signature of every migration's `up` and `down`. */
export type Migration = MigrationFn<QueryInterface>;

/** The migrator over this folder's dated files (`.ts` under tsx, `.js` once built). */
export function createMigrator(sequelize: Sequelize) {
  return new Umzug<QueryInterface>({
    migrations: {
      glob: ['[0-9]*.{js,ts}', { cwd: __dirname, ignore: ['**/*.d.ts', '**/*.map'] }],
      // Names are stored without the extension, so a database migrated by the built `.js`
      // files and one migrated by the `.ts` sources under tsx agree on what has run.
      resolve: ({ name, path: file, context }) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- umzug hands us a path
        const migration = require(file!) as { up: Migration; down: Migration };
        return {
          name: name.replace(/\.(js|ts)$/, ''),
          up: (params) => migration.up({ ...params, context }),
          down: (params) => migration.down({ ...params, context }),
        };
      },
    },
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: {
      info: (event) => logger.info(event, 'migration'),
      warn: (event) => logger.warn(event, 'migration'),
      error: (event) => logger.error(event, 'migration'),
      debug: (event) => logger.debug(event, 'migration'),
    },
  });
}

/** Creates the database named in `databaseUrl` when it does not exist yet (utf8mb4). */
export async function ensureDatabase(databaseUrl: string, name: string): Promise<void> {
  const server = new URL(databaseUrl);
  server.pathname = '/';
  const connection = await mysql.createConnection({ uri: server.toString(), connectTimeout: 5000 });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  const pending = await createMigrator(sequelize).pending();
  return pending.map((migration) => path.basename(migration.name));
}
