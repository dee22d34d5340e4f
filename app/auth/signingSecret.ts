import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { config } from '../../config';
import { sequelize } from '../infra/db';
import { useSigningSecret } from './tokens';

/** The row of the `secrets` table that holds the access-token signing secret. */
const JWT_SECRET_NAME = 'jwt';

/** Where the key in use came from, for the boot log (never the value). */
export type SigningSecretSource = 'JWT_SECRET' | 'development' | 'mysql';

// `logging: false` on every query here: the SQL log (at trace) would print the secret.
const QUIET = { logging: false } as const;

const newSecret = () => randomBytes(48).toString('base64url');

async function readSecret(): Promise<string | null> {
  const rows = await sequelize.query<{ value: string }>(
    'SELECT value FROM secrets WHERE name = :name',
    {
      replacements: { name: JWT_SECRET_NAME },
      type: QueryTypes.SELECT,
      // The primary: a replica may not have the row another node inserted a moment ago.
      useMaster: true,
      ...QUIET,
    },
  );
  return rows[0]?.value ?? null;
}

/**
 * Makes the access-token key ready before an API node serves. Without JWT_SECRET (and outside
 * development and test) the secret is the one kept in MySQL: the first node to boot creates
 * it, and INSERT IGNORE then a read from the primary lets nodes booting together agree on it.
 */
export async function loadSigningSecret(): Promise<SigningSecretSource> {
  if (config.jwt.secret !== null) {
    return config.jwt.usingDevelopmentSecret ? 'development' : 'JWT_SECRET';
  }
  await sequelize.query(
    'INSERT IGNORE INTO secrets (name, value, created_at) VALUES (:name, :value, NOW(3))',
    { replacements: { name: JWT_SECRET_NAME, value: newSecret() }, ...QUIET },
  );
  const secret = await readSecret();
  if (secret === null) throw new Error('The signing secret could not be read back from MySQL');
  useSigningSecret(secret);
  return 'mysql';
}

/**
 * Replaces the secret kept in MySQL with a new random one. API nodes read it at boot, so the
 * new key signs and verifies from their next (re)start on.
 */
export async function rotateSigningSecret(): Promise<void> {
  await sequelize.query(
    'INSERT INTO secrets (name, value, created_at) VALUES (:name, :value, NOW(3)) ' +
      'ON DUPLICATE KEY UPDATE value = VALUES(value), created_at = VALUES(created_at)',
    { replacements: { name: JWT_SECRET_NAME, value: newSecret() }, ...QUIET },
  );
}
