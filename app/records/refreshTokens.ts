import { Op, type Transaction } from 'sequelize';
import { select } from '../infra/db';
import { RefreshToken } from '../../models';

/**
 * The `refresh_tokens` table: every read and write of it lives here. Single rows go through
 * the `RefreshToken` model (one statement each, as raw SQL would be); the sweep's scan of
 * recently revoked families is raw SQL (DISTINCT over a time window, no instances needed).
 * Tokens are looked up by their SHA-256 (`tokenHash`); the raw token never reaches MySQL.
 */

export type RefreshTokenRow = RefreshToken;

/** The columns of a new token. */
export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
  sessionStartedAt: Date;
}

/** Stores a new refresh token. */
export async function insertRefreshToken(
  row: NewRefreshToken,
  transaction?: Transaction,
): Promise<void> {
  await RefreshToken.create(row, { transaction });
}

/** The token with this hash, read from the primary (a replica may lack a token just issued). */
export async function findRefreshTokenByHash(tokenHash: string): Promise<RefreshTokenRow | null> {
  return RefreshToken.findOne({ where: { tokenHash }, useMaster: true });
}

/**
 * The token with this hash, locked for the rest of the transaction: `update` (FOR UPDATE) for
 * the token being rotated, `share` (LOCK IN SHARE MODE) to see a successor a racing rotation
 * just committed.
 */
export async function lockRefreshTokenByHash(
  tokenHash: string,
  lock: 'update' | 'share',
  transaction: Transaction,
): Promise<RefreshTokenRow | null> {
  return RefreshToken.findOne({
    where: { tokenHash },
    lock: lock === 'update' ? transaction.LOCK.UPDATE : transaction.LOCK.SHARE,
    transaction,
  });
}

/** Marks a token spent by its rotation. */
export async function markRefreshTokenRotated(
  row: RefreshTokenRow,
  rotatedAt: Date,
  transaction: Transaction,
): Promise<void> {
  await row.update({ rotatedAt }, { transaction });
}

/** Revokes every live token of a family; answers how many it revoked. */
export async function revokeFamilyTokens(
  familyId: string,
  transaction?: Transaction,
): Promise<number> {
  const [count] = await RefreshToken.update(
    { revokedAt: new Date() },
    { where: { familyId, revokedAt: null }, transaction },
  );
  return count;
}

/** Revokes every unexpired token a user holds. */
export async function revokeUserTokens(userId: string, transaction: Transaction): Promise<void> {
  await RefreshToken.update(
    { revokedAt: new Date() },
    { where: { userId, revokedAt: null, expiresAt: { [Op.gt]: new Date() } }, transaction },
  );
}

/** Whether any token of a family is revoked, read from the primary (a check must not lag). */
export async function familyRevoked(familyId: string): Promise<boolean> {
  const revoked = await RefreshToken.findOne({
    attributes: ['id'],
    where: { familyId, revokedAt: { [Op.ne]: null } },
    useMaster: true,
  });
  return revoked !== null;
}

/** Families (with their user) revoked within the last `seconds`, read from the primary. */
export async function recentlyRevokedFamilies(
  seconds: number,
): Promise<{ familyId: string; userId: string }[]> {
  return select<{ familyId: string; userId: string }>(
    `SELECT DISTINCT family_id AS familyId, user_id AS userId FROM refresh_tokens
     WHERE revoked_at > UTC_TIMESTAMP(3) - INTERVAL :seconds SECOND`,
    { replacements: { seconds }, useMaster: true },
  );
}

/** Account deletion: removes every refresh token of the user (all revoked by then). */
export async function deleteRefreshTokensOfUser(
  userId: string,
  transaction: Transaction,
): Promise<void> {
  await RefreshToken.destroy({ where: { userId }, transaction });
}
