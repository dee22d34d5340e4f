import { execute, select } from '../infra/db';

/**
 * The `secrets` table (named values such as the access-token signing secret): every SQL
 * statement that reads or writes it lives here. Raw SQL, no model: INSERT IGNORE and the
 * upsert are single statements Sequelize would spell as two, and `logging: false` on every
 * query keeps the values out of the SQL log (at trace it would print the secret).
 */
const QUIET = { logging: false } as const;

/** The value of a secret, read from the primary (a replica may lack a row just inserted). */
export async function readSecretValue(name: string): Promise<string | null> {
  const rows = await select<{ value: string }>('SELECT value FROM secrets WHERE name = :name', {
    replacements: { name },
    useMaster: true,
    ...QUIET,
  });
  return rows[0]?.value ?? null;
}

/** Stores a secret unless one of that name exists (nodes booting together keep the first). */
export async function insertSecretIfMissing(name: string, value: string): Promise<void> {
  await execute(
    'INSERT IGNORE INTO secrets (name, value, created_at) VALUES (:name, :value, NOW(3))',
    { replacements: { name, value }, ...QUIET },
  );
}

/** Stores a secret, replacing any value of that name. */
export async function replaceSecret(name: string, value: string): Promise<void> {
  await execute(
    'INSERT INTO secrets (name, value, created_at) VALUES (:name, :value, NOW(3)) ' +
      'ON DUPLICATE KEY UPDATE value = VALUES(value), created_at = VALUES(created_at)',
    { replacements: { name, value }, ...QUIET },
  );
}
