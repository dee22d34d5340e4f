import type { Transaction } from 'sequelize';
import { AppError, notFound } from '../http/errors';
import { inTransaction } from '../infra/db';
import { toPage } from '../http/paging';
import { cacheUpkeep } from '../cache/upkeep';
import { mergeFollow, unmergeFollow } from '../timeline/maintain';
import { refreshHiddenPair } from '../safety/hidden';
import { followExists } from '../records/follows';
import { lockUsersFollowers, type LockedUser } from '../records/users';
import {
  MAX_BLOCKS,
  blockPage,
  countBlocks,
  deleteBlock,
  insertBlock,
  isBlockedEitherWay,
} from '../records/blocks';
import { MAX_MUTES, countMutes, deleteMute, insertMute, mutePage } from '../records/mutes';
import { removeFollow, userJson, usersJson } from './service';
import type { UserJson } from './schemas';

/**
 * Blocks and mutes (docs/decisions/0016). A block removes the follows both ways and each
 * side's entries from the other's home timeline; a mute removes the muted user's entries from
 * the muter's. Both answer the target as the viewer now sees them (with `blocking`/`muting`),
 * are idempotent, and leave the rest to the filters: the hidden set on home reads, the
 * fan-out, notifications, and the refusals (app/safety).
 */

/**
 * Runs `work` in a transaction holding both users' rows (lockUsersFollowers: in id order, as
 * follow does, so a block and a follow between the two queue instead of racing); 404 when the
 * target does not exist or is inactive (suspended, being deleted).
 */
async function withBothLocked<T>(
  viewerId: string,
  targetId: string,
  work: (viewer: LockedUser, target: LockedUser, transaction: Transaction) => Promise<T>,
): Promise<T> {
  return inTransaction(async (transaction) => {
    const rows = await lockUsersFollowers([viewerId, targetId], transaction);
    const viewer = rows.find((row) => row.id === viewerId);
    const target = rows.find((row) => row.id === targetId);
    // A suspended or deleted account is absent to everyone else, as for follow and unfollow.
    if (!viewer || !target || target.suspended) throw notFound('user');
    return work(viewer, target, transaction);
  });
}

const limitReached = (what: string, max: number) =>
  new AppError('limit_reached', `You can ${what} at most ${max.toLocaleString('en')} users.`);

/**
 * Blocks a user (idempotent): in one transaction the block row and the removal of both
 * follows (counters exact); after commit, both hidden sets and both home timelines.
 */
export async function block(viewerId: string, targetId: string): Promise<UserJson> {
  if (viewerId === targetId) throw new AppError('cannot_block_self', 'You cannot block yourself.');
  const changed = await withBothLocked(viewerId, targetId, async (viewer, target, transaction) => {
    if (!(await insertBlock(viewerId, targetId, transaction))) return false;
    if ((await countBlocks(viewerId, transaction)) > MAX_BLOCKS) {
      throw limitReached('block', MAX_BLOCKS);
    }
    await removeFollow(viewerId, target, transaction);
    await removeFollow(targetId, viewer, transaction);
    return true;
  });
  if (changed) {
    await cacheUpkeep(
      async () => {
        await refreshHiddenPair(viewerId, targetId);
        await Promise.all([unmergeFollow(viewerId, targetId), unmergeFollow(targetId, viewerId)]);
      },
      { userIds: [viewerId, targetId] },
    );
  }
  return userJson(viewerId, targetId, { useMaster: true });
}

/** Unblocks a user (idempotent). Nothing comes back by itself: follows stay removed. */
export async function unblock(viewerId: string, targetId: string): Promise<UserJson> {
  const changed = await withBothLocked(viewerId, targetId, (_viewer, _target, transaction) =>
    deleteBlock(viewerId, targetId, transaction),
  );
  if (changed) {
    await cacheUpkeep(() => refreshHiddenPair(viewerId, targetId), {
      userIds: [viewerId, targetId],
    });
  }
  return userJson(viewerId, targetId, { useMaster: true });
}

/**
 * Mutes a user (idempotent, and never told to them: they may still follow and mention the
 * muter). Their entries leave the muter's home timeline after commit.
 */
export async function mute(viewerId: string, targetId: string): Promise<UserJson> {
  if (viewerId === targetId) throw new AppError('cannot_mute_self', 'You cannot mute yourself.');
  const changed = await withBothLocked(
    viewerId,
    targetId,
    async (_viewer, _target, transaction) => {
      if (!(await insertMute(viewerId, targetId, transaction))) return false;
      if ((await countMutes(viewerId, transaction)) > MAX_MUTES) {
        throw limitReached('mute', MAX_MUTES);
      }
      return true;
    },
  );
  if (changed) {
    await cacheUpkeep(
      async () => {
        await refreshHiddenPair(viewerId, targetId);
        await unmergeFollow(viewerId, targetId);
      },
      { userIds: [viewerId] },
    );
  }
  return userJson(viewerId, targetId, { useMaster: true });
}

/**
 * Unmutes a user (idempotent). If the viewer still follows them (and no block stands between
 * them), their recent entries come back into the home timeline, as a follow merges them.
 */
export async function unmute(viewerId: string, targetId: string): Promise<UserJson> {
  const result = await withBothLocked(viewerId, targetId, async (_viewer, target, transaction) => {
    if (!(await deleteMute(viewerId, targetId, transaction))) return null;
    const merge =
      (await followExists(viewerId, targetId, transaction)) &&
      !(await isBlockedEitherWay(viewerId, targetId, { transaction }));
    return { merge, followers: target.followers };
  });
  if (result) {
    await cacheUpkeep(
      async () => {
        await refreshHiddenPair(viewerId, targetId);
        if (result.merge) await mergeFollow(viewerId, targetId, result.followers);
      },
      { userIds: [viewerId] },
    );
  }
  return userJson(viewerId, targetId, { useMaster: true });
}

/** A page of the users the viewer blocks (`blocks`) or mutes (`mutes`), newest first. */
export async function listBlocksOrMutes(
  viewerId: string,
  list: 'blocks' | 'mutes',
  below: string | undefined,
  limit: number,
): Promise<{ data: UserJson[]; nextCursor: string | null }> {
  const rows = await (list === 'blocks' ? blockPage : mutePage)(viewerId, below, limit + 1);
  const { data: page, nextCursor } = toPage(rows, limit, (row) => row.rowId);
  const data = await usersJson(
    viewerId,
    page.map((row) => row.userId),
  );
  return { data, nextCursor };
}
