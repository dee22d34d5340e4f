import { store } from '../cache/store';
import { blockedAmong } from '../safety/blocked';
import { hydrateTweets } from './cache';
import { authorsOfEntry } from './presenter';
import { renderingScriptReply } from './pageScript';

/**
 * Blocks on the tweet reads other than the home timeline (whose script filters its own,
 * app/safety/hidden.ts): an entry by, or retweeting, a user who blocks the viewer or whom the
 * viewer blocks is left out as if deleted meanwhile, so a list pages on below it as it does
 * below a deleted tweet (nothing skipped or repeated). One Redis round trip per page asks
 * about every author at once (app/safety/blocked.ts).
 */

export interface Visible<T> {
  /** The entries, those the viewer must not see turned null. */
  texts: T[];
  /** Whether one of the `owners` asked with them is blocked either way with the viewer. */
  ownerBlocked: boolean;
}

/**
 * Turns null, in hydrated entries, those the viewer must not see. `owners` are users whose
 * block makes the whole answer a 404 (an author page's author, a thread's root author), asked
 * in the same round trip.
 */
export async function withoutBlocked(
  viewerId: string,
  texts: (string | null)[],
  owners: string[] = [],
): Promise<Visible<string | null>> {
  const authors = texts.map((text) => (text === null ? [] : authorsOfEntry(text)));
  const blocked = await blockedAmong(viewerId, [...owners, ...authors.flat()]);
  if (blocked.size === 0) return { texts, ownerBlocked: false };
  return {
    texts: texts.map((text, i) => (authors[i].some((id) => blocked.has(id)) ? null : text)),
    ownerBlocked: owners.some((id) => blocked.has(id)),
  };
}

/** The entries left to show: those not turned null (gone, or hidden from the viewer). */
export const shown = (texts: (string | null)[]): string[] =>
  texts.filter((text): text is string => text !== null);

/**
 * The JSON texts of entries for a viewer, in order, without those deleted meanwhile and
 * those by or retweeting users blocked either way with the viewer.
 */
export async function visibleEntries(
  viewerId: string,
  ids: string[],
  owners: string[] = [],
): Promise<Visible<string>> {
  const { texts, ownerBlocked } = await withoutBlocked(
    viewerId,
    await hydrateTweets(viewerId, ids),
    owners,
  );
  return { texts: shown(texts), ownerBlocked };
}

/**
 * The items of a page of entries as the viewer sees them (visibleEntries' rule), rendered by
 * Redis in one round trip (the `entriesPage` script) and joined by commas; null when it
 * cannot render them whole (a record, the viewer's flag or blocked sets not cached), Redis is
 * away, or on a Redis Cluster: visibleEntries then answers, filling what was missing. Given
 * a `root` (a replies page's tweet), 'owner' when its author and the viewer block one
 * another, as visibleEntries' owners.
 */
export async function renderedEntries(
  viewerId: string,
  ids: string[],
  root = '',
): Promise<Buffer | 'owner' | null> {
  const reply = (await renderingScriptReply('entries page', null, () =>
    store.entriesPageBuffer(viewerId, root, ...ids),
  )) as (Buffer | null)[] | null;
  const kind = reply && String(reply[0]);
  if (kind === 'owner') return 'owner';
  return kind === 'page' ? (reply![1] ?? null) : null;
}
