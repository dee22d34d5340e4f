import { FOR_CACHE_FILL, type ReadFrom } from '../infra/db';
import { logger } from '../infra/logger';
import { isCacheReady } from '../infra/redis';
import { SENTINEL, keys } from '../cache/keys';
import { store } from '../cache/store';
import { fillViewerSets, updateViewerSetsAsRead, viewerSetsVersion } from '../cache/viewerSets';
import { blockedEitherWay, blockedEitherWayAmong, isBlockedEitherWay } from '../records/blocks';
import { isMuting, mutedBy, mutersAmong } from '../records/mutes';

/**
 * Whose entries a viewer must not see: the users they block, who block them, and whom they
 * mute. MySQL holds the rows; Redis holds each viewer's set of those ids (`hid:<viewer>`, with
 * the sentinel: a viewer set, app/cache/viewerSets.ts), which the home timeline script reads
 * to skip entries by them or retweeting them. See docs/decisions/0016 for where each filter
 * runs.
 */

/** Everyone the viewer must not see, read from MySQL. */
export async function hiddenAuthorsFromMysql(
  viewerId: string,
  read: ReadFrom = {},
): Promise<string[]> {
  const [blocked, muted] = await Promise.all([
    blockedEitherWay(viewerId, read),
    mutedBy(viewerId, read),
  ]);
  return [...new Set([...blocked, ...muted])];
}

/** Builds the viewer's hidden set in Redis from the primary (on a miss), and answers it. */
export async function loadHiddenAuthors(viewerId: string): Promise<Set<string>> {
  const version = await viewerSetsVersion(viewerId);
  const ids = await hiddenAuthorsFromMysql(viewerId, FOR_CACHE_FILL);
  await fillViewerSets(viewerId, [[keys.hidden(viewerId), ids]], version);
  return new Set(ids);
}

/**
 * The viewer's hidden authors for a read that is not the warm home timeline: from Redis
 * (loaded there when missing), or from MySQL when Redis cannot answer.
 */
export async function hiddenAuthors(viewerId: string): Promise<Set<string>> {
  if (isCacheReady()) {
    try {
      const members = await store.smembers(keys.hidden(viewerId));
      if (members.length === 0) return await loadHiddenAuthors(viewerId);
      return new Set(members.filter((member) => member !== SENTINEL));
    } catch (error) {
      logger.debug({ err: error }, 'hidden set unavailable; reading MySQL');
    }
  }
  return new Set(await hiddenAuthorsFromMysql(viewerId));
}

/**
 * What a refresh of a pair read: each user's viewer-sets marker, then, from the primary,
 * whether a block or either mute stands between them.
 */
export interface HiddenPairRead {
  a: string;
  b: string;
  versions: readonly [a: string, b: string];
  blocked: boolean;
  aMutesB: boolean;
  bMutesA: boolean;
}

/** The first half of refreshHiddenPair: the markers, then the pair's state in the primary. */
export async function readHiddenPair(a: string, b: string): Promise<HiddenPairRead> {
  const versions = await Promise.all([viewerSetsVersion(a), viewerSetsVersion(b)]);
  const [blocked, aMutesB, bMutesA] = await Promise.all([
    isBlockedEitherWay(a, b, FOR_CACHE_FILL),
    isMuting(a, b, FOR_CACHE_FILL),
    isMuting(b, a, FOR_CACHE_FILL),
  ]);
  return { a, b, versions, blocked, aMutesB, bMutesA };
}

/**
 * The second half of refreshHiddenPair: each user's cached sets say what `read` found, unless
 * the user's marker moved since it was read (another refresh or a fill wrote, maybe a newer
 * state): then that user's sets are dropped, to load whole from the primary when next read.
 */
export async function writeHiddenPair(read: HiddenPairRead): Promise<void> {
  const { a, b, versions, blocked, aMutesB, bMutesA } = read;
  await Promise.all([
    updateViewerSetsAsRead(a, versions[0], [
      { key: keys.hidden(a), member: b, present: blocked || aMutesB },
      // The blocked sets (blocked.ts) hold blocks alone, for the reads other than home.
      { key: keys.blocked(a), member: b, present: blocked },
    ]),
    updateViewerSetsAsRead(b, versions[1], [
      { key: keys.hidden(b), member: a, present: blocked || bMutesA },
      { key: keys.blocked(b), member: a, present: blocked },
    ]),
  ]);
}

/**
 * After a block, unblock, mute or unmute between `a` and `b` committed: each one's cached set
 * says again whether the other is hidden, as the primary now has it (an unblock leaves a mute
 * in force, and the reverse). Sets not cached stay so (they load whole when next read), and
 * a fill that read the primary before this commit does not write (viewerSets.ts). Two
 * refreshes of the pair (an unblock, then a block at once) may read in one order and write in
 * the other: the later write, of the older read, finds the marker moved and drops the sets
 * instead of undoing the block (writeHiddenPair).
 */
export async function refreshHiddenPair(a: string, b: string): Promise<void> {
  await writeHiddenPair(await readHiddenPair(a, b));
}

/**
 * Which of `userIds` must not get entries by any of `authorIds` (an entry's author and, for a
 * retweet, its original's): the fan-out asks it of each page of followers, two indexed reads.
 */
export async function usersHidingAny(
  authorIds: string[],
  userIds: string[],
  read: ReadFrom = {},
): Promise<Set<string>> {
  const [blocked, muters] = await Promise.all([
    blockedEitherWayAmong(authorIds, userIds, read),
    mutersAmong(authorIds, userIds, read),
  ]);
  return new Set([...blocked, ...muters]);
}
