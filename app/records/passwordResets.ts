import type { Transaction } from 'sequelize';
import { PasswordReset } from '../../models';

/**
 * The `password_resets` table: every read and write of it lives here, through the
 * `PasswordReset` model (single rows and one set-based UPDATE, the same statements raw SQL
 * would be). A reset's token is minted by the mail worker and stored only as its SHA-256.
 */

export type PasswordResetRow = PasswordReset;

/** Opens a reset request for a user, its token still to be minted; answers its id. */
export async function insertPasswordReset(
  userId: string,
  expiresAt: Date,
  transaction: Transaction,
): Promise<string> {
  const reset = await PasswordReset.create({ userId, expiresAt }, { transaction });
  return String(reset.id);
}

/** A reset request by id (null: gone). */
export async function findPasswordReset(id: string): Promise<PasswordResetRow | null> {
  return PasswordReset.findByPk(id);
}

/**
 * The reset whose token hash this is: from the primary (a replica may lack a token just
 * minted), or locked FOR UPDATE in `transaction` when given.
 */
export async function findPasswordResetByHash(
  tokenHash: string,
  transaction?: Transaction,
): Promise<PasswordResetRow | null> {
  return transaction
    ? PasswordReset.findOne({ where: { tokenHash }, lock: transaction.LOCK.UPDATE, transaction })
    : PasswordReset.findOne({ where: { tokenHash }, useMaster: true });
}

/**
 * Stores a freshly minted token of a reset still unused, with its new expiry; answers whether
 * the reset was still unused.
 */
export async function setPasswordResetToken(
  id: string,
  tokenHash: string,
  expiresAt: Date,
): Promise<boolean> {
  const [updated] = await PasswordReset.update(
    { tokenHash, expiresAt },
    { where: { id, usedAt: null } },
  );
  return updated > 0;
}

/** Spends every unused reset of a user at once (the one used and any other outstanding). */
export async function spendPasswordResets(
  userId: string,
  usedAt: Date,
  transaction: Transaction,
): Promise<void> {
  await PasswordReset.update({ usedAt }, { where: { userId, usedAt: null }, transaction });
}

/** Account deletion: removes every password reset of the user. */
export async function deletePasswordResetsOfUser(
  userId: string,
  transaction: Transaction,
): Promise<void> {
  await PasswordReset.destroy({ where: { userId }, transaction });
}
