import type { Transaction } from 'sequelize';
import { AppError } from '../http/errors';
import { isBlockedEitherWay } from '../records/blocks';

/**
 * Refuses an action of `actorId` on `otherId` (follow, reply, like, retweet) when either
 * blocks the other: 403 `blocked`. Both ways, as Mastodon refuses both follow directions: a
 * blocker who wants to act on the blocked user unblocks first. Read in the action's
 * transaction, after its row locks, so a block committing meanwhile is seen or waits.
 */
export async function refuseIfBlocked(
  actorId: string,
  otherId: string,
  transaction: Transaction,
): Promise<void> {
  if (actorId === otherId) return;
  if (await isBlockedEitherWay(actorId, otherId, { transaction })) throw blockedRefusal();
}

/** The 403 `blocked` of an action refused by a block, either way. */
export const blockedRefusal = (): AppError =>
  new AppError('blocked', 'A block between you and this user refuses that.');
