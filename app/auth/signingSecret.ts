import { randomBytes } from 'node:crypto';
import { config } from '../../config';
import { insertSecretIfMissing, readSecretValue, replaceSecret } from '../records/secrets';
import { useSigningSecret } from './tokens';

/** The row of the `secrets` table that holds the access-token signing secret. */
const JWT_SECRET_NAME = 'jwt';

/** Where the key in use came from, for the boot log (never the value). */
export type SigningSecretSource = 'JWT_SECRET' | 'development' | 'mysql';

const newSecret = () => randomBytes(48).toString('base64url');

/**
 * Makes the access-token key ready before an API node serves. Without JWT_SECRET (and outside
 * development and test) the secret is the one kept in MySQL: the first node to boot creates
 * it, and INSERT IGNORE then a read from the primary lets nodes booting together agree on it.
 */
export async function loadSigningSecret(): Promise<SigningSecretSource> {
  if (config.jwt.secret !== null) {
    return config.jwt.usingDevelopmentSecret ? 'development' : 'JWT_SECRET';
  }
  await insertSecretIfMissing(JWT_SECRET_NAME, newSecret());
  const secret = await readSecretValue(JWT_SECRET_NAME);
  if (secret === null) throw new Error('The signing secret could not be read back from MySQL');
  useSigningSecret(secret);
  return 'mysql';
}

/**
 * Replaces the secret kept in MySQL with a new random one. API nodes read it at boot, so the
 * new key signs and verifies from their next (re)start on.
 */
export async function rotateSigningSecret(): Promise<void> {
  await replaceSecret(JWT_SECRET_NAME, newSecret());
}
