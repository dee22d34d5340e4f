import { Op, type Transaction } from 'sequelize';
import { config } from '../../config';
import { RefreshToken } from '../../models';
import { hashToken, newOpaqueToken } from './tokens';

/** Issues a refresh token in a family; the raw token is returned once and stored hashed. */
export async function issueRefreshToken(
  userId: string,
  familyId: string,
  transaction?: Transaction,
): Promise<string> {
  const token = newOpaqueToken();
  await RefreshToken.create(
    {
      userId,
      familyId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + config.jwt.refreshTtlSeconds * 1000),
    },
    { transaction },
  );
  return token;
}

/** Revokes every live token of a family; answers whether anything was revoked. */
export async function revokeFamily(familyId: string, transaction?: Transaction): Promise<boolean> {
  const [count] = await RefreshToken.update(
    { revokedAt: new Date() },
    { where: { familyId, revokedAt: null }, transaction },
  );
  return count > 0;
}

export type RotationResult =
  | { ok: true; userId: string; familyId: string }
  | { ok: false; reusedFamilyId?: string; userId?: string };

/**
 * Spends a refresh token. The conditional UPDATE makes the spend atomic: of two requests
 * racing with the same token, one wins and the other sees a rotated token, i.e. reuse,
 * which the caller answers by revoking the family (someone else may hold a copy).
 */
export async function spendRefreshToken(
  token: string,
  transaction: Transaction,
): Promise<RotationResult> {
  const row = await RefreshToken.findOne({ where: { tokenHash: hashToken(token) }, transaction });
  if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { ok: false };
  const [spent] = await RefreshToken.update(
    { rotatedAt: new Date() },
    { where: { id: row.id, rotatedAt: null, revokedAt: null }, transaction },
  );
  if (spent === 1) return { ok: true, userId: String(row.userId), familyId: row.familyId };
  return { ok: false, reusedFamilyId: row.familyId, userId: String(row.userId) };
}

/** Revokes every refresh token a user holds (password reset). */
export async function revokeAllForUser(userId: string, transaction: Transaction): Promise<void> {
  await RefreshToken.update(
    { revokedAt: new Date() },
    { where: { userId, revokedAt: null, expiresAt: { [Op.gt]: new Date() } }, transaction },
  );
}

/**
 * The owner of a refresh token, whatever its state (logout checks it is the caller's). Read
 * from the primary: a logout right after login must find the token a replica may lack.
 */
export async function findRefreshToken(token: string) {
  return RefreshToken.findOne({ where: { tokenHash: hashToken(token) }, useMaster: true });
}
