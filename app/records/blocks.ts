import { pairTable, type PairRead } from './userPairs';

/**
 * The `blocks` table: one row per (blocker, blocked), made from the shared pair SQL
 * (userPairs.ts). A block works both ways (neither may act on the other, neither sees the
 * other), so most questions here are "either way".
 */
const blocks = pairTable({ table: 'blocks', owner: 'blocker_id', other: 'blocked_id' });

/** At most this many blocks per user (the one spelling of the limit). */
export const MAX_BLOCKS = 10_000;

export const insertBlock = blocks.insert;
export const deleteBlock = blocks.delete;
/** How many users a user blocks. */
export const countBlocks = blocks.countOf;
/** A page of whom a user blocks, newest block first (`rowId` continues the paging). */
export const blockPage = blocks.page;
/** Whether `blockerId` blocks `blockedId` (one way). */
export const isBlocking = blocks.exists;

/** Account deletion: removes a batch of the user's blocks, either way (the others answered). */
export const deleteBlocksOfUser = blocks.deleteOfUser;

/**
 * Whether either of two users blocks the other. One query: asked in the transaction of every
 * like, retweet, reply and follow, where two would be two round trips on its one connection.
 */
export const isBlockedEitherWay = (a: string, b: string, read: PairRead = {}): Promise<boolean> =>
  blocks.existsEitherWay(a, b, read);

/** Everyone a user blocks or is blocked by (each once). */
export async function blockedEitherWay(userId: string, read: PairRead = {}): Promise<string[]> {
  const [blocked, blockers] = await Promise.all([
    blocks.othersOf(userId, read),
    blocks.ownersOf(userId, read),
  ]);
  return [...new Set([...blocked, ...blockers])];
}

/** Which of `userIds` block, or are blocked by, any of `authorIds` (fan-out, per page). */
export async function blockedEitherWayAmong(
  authorIds: string[],
  userIds: string[],
  read: PairRead = {},
): Promise<string[]> {
  const [blockers, blocked] = await Promise.all([
    blocks.ownersAmong(authorIds, userIds, read),
    blocks.othersAmong(authorIds, userIds, read),
  ]);
  return [...new Set([...blockers, ...blocked])];
}

/** SQL true when the users in columns `a` and `b` block each other either way. */
export const blockedEitherWaySql = (a: string, b: string): string =>
  `(${blocks.existsSql(a, b)} OR ${blocks.existsSql(b, a)})`;

/** SQL true when the user in column `blocker` blocks the one in `blocked`. */
export const blockingSql = (blocker: string, blocked: string): string =>
  blocks.existsSql(blocker, blocked);
