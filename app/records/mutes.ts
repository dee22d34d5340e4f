import { pairTable } from './userPairs';

/**
 * The `mutes` table: one row per (muter, muted), made from the shared pair SQL
 * (userPairs.ts). A mute works one way and is never told: the muted user may still follow,
 * mention and see the muter.
 */
const mutes = pairTable({ table: 'mutes', owner: 'muter_id', other: 'muted_id' });

/** At most this many mutes per user (as many as blocks: both fill the hidden set). */
export const MAX_MUTES = 10_000;

export const insertMute = mutes.insert;
export const deleteMute = mutes.delete;
/** How many users a user mutes. */
export const countMutes = mutes.countOf;
/** A page of whom a user mutes, newest mute first (`rowId` continues the paging). */
export const mutePage = mutes.page;
/** Whether `muterId` mutes `mutedId`. */
export const isMuting = mutes.exists;

/** Account deletion: removes a batch of the user's mutes, either way (the others answered). */
export const deleteMutesOfUser = mutes.deleteOfUser;
/** Everyone a user mutes. */
export const mutedBy = mutes.othersOf;
/** Which of `userIds` mute any of `authorIds` (fan-out, per page). */
export const mutersAmong = mutes.ownersAmong;

/** SQL true when the user in column `muter` mutes the one in `muted`. */
export const mutingSql = (muter: string, muted: string): string => mutes.existsSql(muter, muted);
