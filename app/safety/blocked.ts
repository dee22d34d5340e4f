import { FOR_CACHE_FILL } from '../infra/db';
import { logger } from '../infra/logger';
import { isCacheReady } from '../infra/redis';
import { SENTINEL, keys } from '../cache/keys';
import { store } from '../cache/store';
import { fillViewerSets, viewerSetsVersion } from '../cache/viewerSets';
import { blockedEitherWay, blockedEitherWayAmong } from '../records/blocks';

/**
 * Who is absent to a viewer on every read but the home timeline: the users they block and
 * who block them (mutes hide only from the home timeline and notifications: hidden.ts). MySQL
 * holds the rows; Redis holds each viewer's set of those ids (`blk:<viewer>`, with the
 * sentinel: a viewer set, app/cache/viewerSets.ts), kept in step by refreshHiddenPair after a
 * block or unblock commits. A page asks it once, in one SMISMEMBER, for all the users it shows.
 */

/** Builds the viewer's blocked set in Redis from the primary (on a miss), and answers it. */
async function loadBlocked(viewerId: string): Promise<Set<string>> {
  const version = await viewerSetsVersion(viewerId);
  const ids = await blockedEitherWay(viewerId, FOR_CACHE_FILL);
  await fillViewerSets(viewerId, [[keys.blocked(viewerId), ids]], version);
  return new Set(ids);
}

/** The set's answer for `userIds`, or null when the viewer's set is not cached. */
async function askSet(viewerId: string, userIds: string[]): Promise<Set<string> | null> {
  const members = await store.smismember(keys.blocked(viewerId), SENTINEL, ...userIds);
  if (members[0] !== 1) return null;
  return new Set(userIds.filter((_, i) => members[i + 1] === 1));
}

/**
 * Which of `userIds` block the viewer or are blocked by them. Warm, one Redis round trip
 * (the sentinel asked with them tells a missing set from an empty one); a missing set is
 * loaded from MySQL; without Redis, two indexed reads of MySQL answer.
 */
export async function blockedAmong(viewerId: string, userIds: string[]): Promise<Set<string>> {
  const asked = [...new Set(userIds)].filter((id) => id !== viewerId);
  if (asked.length === 0) return new Set();
  if (isCacheReady()) {
    try {
      const cached = await askSet(viewerId, asked);
      if (cached) return cached;
      const all = await loadBlocked(viewerId);
      return new Set(asked.filter((id) => all.has(id)));
    } catch (error) {
      logger.debug({ err: error }, 'blocked set unavailable; reading MySQL');
    }
  }
  return new Set(await blockedEitherWayAmong([viewerId], asked));
}

/** Whether a block stands between the viewer and `userId`, either way. */
export async function isBlockedFor(viewerId: string, userId: string): Promise<boolean> {
  return (await blockedAmong(viewerId, [userId])).has(userId);
}
