/**
 * How a bulk world's accounts are named and signed in to: kept free of database imports so
 * the load-test runner can sign in without opening connections of its own.
 */

/** The username of user `index` of a world: `<prefix>_<index in base 36>`. */
export const bulkUsername = (prefix: string, index: number): string =>
  `${prefix}_${index.toString(36)}`;

/** The password of every bulk account (they share one bcrypt hash: hashing 100,000 takes hours). */
export const BULK_PASSWORD = 'chirp-bulk-password';
