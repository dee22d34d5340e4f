import bcrypt from 'bcrypt';
import { config } from '../../config';

export const hashPassword = (password: string): Promise<string> =>
  bcrypt.hash(password, config.bcryptRounds);

/**
 * A hash of nothing in particular, at the configured cost: checking a password against it
 * spends the same time as a real check, so an unknown username answers no faster.
 */
let decoyHash: Promise<string> | undefined;

/** Compares a password with a stored hash, or with the decoy when there is no user. */
export async function checkPassword(password: string, hash: string | undefined): Promise<boolean> {
  decoyHash ??= bcrypt.hash('chirp-decoy-password', config.bcryptRounds);
  const matches = await bcrypt.compare(password, hash ?? (await decoyHash));
  return hash !== undefined && matches;
}
