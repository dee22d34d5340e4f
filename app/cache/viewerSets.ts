import { isCacheReady } from '../infra/redis';
import { VIEWER_SET_TTL_SECONDS, keys } from './keys';
import { store } from './store';

/**
 * A user's viewer sets: the sets of ids (with the sentinel) that the user's pages read of
 * their own, the flag sets (app/tweets/cache.ts) and the hidden and blocked sets
 * (app/safety). Each is filled whole from MySQL when missing and kept in step after every
 * committed change. A fill and a change can cross: the fill reads MySQL before the change
 * commits, the change then finds no set to update, and the fill writes a set without it,
 * trusted for its whole day (a like shown unliked, a blocked user's tweets shown). So a change
 * that finds its set missing raises the user's marker, and a fill, which read the marker
 * before MySQL, writes only if it has not moved.
 *
 * One marker per user covers all their viewer sets: one key, one read per fill and one
 * shape of script for every kind of set. What it costs: a change to one missing set also
 * turns away a concurrent fill of another of the user's sets, which the next read repeats;
 * the marker lives a minute and only changes to missing sets (and block and mute refreshes,
 * below) raise it, so that is rare.
 *
 * Changes that read MySQL for the state they write (a block refresh: app/safety/hidden.ts) can
 * cross each other too: two refreshes of one pair, an unblock's and the block's that followed,
 * read in order and write out of it, and the older state wins. Such a change reads the marker
 * before MySQL and writes only if it has not moved, raising it always (updateViewerSetsAsRead).
 */

/**
 * The user's marker, read before a fill reads MySQL ('' when none; '' too when Redis cannot
 * answer, and the fill's write, if Redis then answers, is turned away when a marker exists).
 */
export async function viewerSetsVersion(userId: string): Promise<string> {
  if (!isCacheReady()) return '';
  try {
    return (await store.get(keys.viewerSetsChanged(userId))) ?? '';
  } catch {
    return '';
  }
}

/**
 * Writes sets of a user read from MySQL (each key with its ids), unless one of the user's
 * sets changed while missing after `version` was read: the read may predate that change.
 * A set that exists already is left as it is: it is complete, kept in step since it was
 * written, and this read may be older than a change it took. Answers whether it wrote;
 * turned away, the next read loads the sets again.
 */
export async function fillViewerSets(
  userId: string,
  sets: readonly (readonly [key: string, ids: Iterable<string>])[],
  version: string,
): Promise<boolean> {
  const written = await store.fillViewerSets(
    1 + sets.length,
    keys.viewerSetsChanged(userId),
    ...sets.map(([key]) => key),
    version,
    VIEWER_SET_TTL_SECONDS,
    ...sets.map(([, ids]) => [...ids].join(',')),
  );
  return written === 1;
}

/** One committed change of a user's viewer set (`key`): whether `member` is now in it. */
export interface ViewerSetChange {
  key: string;
  member: string;
  present: boolean;
}

/**
 * Applies a committed change to a viewer set of `userId` when the set exists; when it does
 * not, raises the user's marker (fillViewerSets). One script call: the set and the marker
 * share the user's slot. Throws when it failed.
 */
export async function changeViewerSet(
  userId: string,
  { key, member, present }: ViewerSetChange,
): Promise<void> {
  await store.updateViewerSet(key, keys.viewerSetsChanged(userId), present ? 'add' : 'rem', member);
}

/**
 * Applies changes of one user's sets that a read of MySQL found, `version` being the user's
 * marker read before it. When the marker moved since, another write (a change read later, or
 * a fill) may hold a newer state than this read: the sets are dropped rather than written,
 * and their next read loads them whole from the primary, which is always right (reading MySQL
 * again and retrying could lose the race again). Either way it raises the marker, so an older
 * read, and a fill that began before this change, do not write after it. Answers whether it
 * applied the changes.
 */
export async function updateViewerSetsAsRead(
  userId: string,
  version: string,
  changes: readonly ViewerSetChange[],
): Promise<boolean> {
  const applied = await store.updateViewerSetsAsRead(
    1 + changes.length,
    keys.viewerSetsChanged(userId),
    ...changes.map(({ key }) => key),
    version,
    ...changes.flatMap(({ member, present }) => [present ? 'add' : 'rem', member]),
  );
  return applied === 1;
}
