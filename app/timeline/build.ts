import { config } from '../../config';
import { FOR_CACHE_FILL, type ReadFrom } from '../infra/db';
import { SENTINEL, TIMELINE_TTL_SECONDS, keys } from '../cache/keys';
import { store } from '../cache/store';
import { entryIdsByAuthors } from '../records/tweets';
import { followeesWithFollowers } from '../records/follows';

/**
 * How many entries a timeline keeps (TIMELINE_MAX_LENGTH): the one reader of the cap, for
 * the scripts' trim (their ARGV) and for how much a rebuild reads.
 */
export const timelineCap = (): number => config.timeline.maxLength;

/** Whether an author's tweets skip fan-out (read-time merge instead). */
export const isCelebrity = (followersCount: number): boolean =>
  followersCount > config.timeline.celebrityThreshold;

/** Whom a user follows, split into fanned-out authors and celebrities. */
export async function followeesOf(
  userId: string,
  read: ReadFrom = {},
): Promise<{ regular: string[]; celebrities: string[] }> {
  const regular: string[] = [];
  const celebrities: string[] = [];
  for (const row of await followeesWithFollowers(userId, read))
    (isCelebrity(row.followers) ? celebrities : regular).push(row.id);
  return { regular, celebrities };
}

/**
 * Writes a timeline sorted set from ids read in MySQL, then reads once more for entries
 * committed meanwhile: their fan-out found no key and skipped it.
 */
async function writeTimeline(key: string, authors: string[], ids: string[]): Promise<void> {
  const max = timelineCap();
  const members = ids.flatMap((id) => [id, id]);
  await store
    .multi()
    .zadd(key, 0, SENTINEL, ...members)
    .expire(key, TIMELINE_TTL_SECONDS)
    .exec();
  const late = await entryIdsByAuthors(authors, max, { above: ids[0] ?? '0' }, FOR_CACHE_FILL);
  if (late.length > 0) await store.mergeIntoTimeline(key, String(max), ...late);
}

/** Rebuilds a user's home timeline (and celebrity list) from MySQL: the primary, as any refill. */
export async function rebuildHome(userId: string): Promise<void> {
  const { regular, celebrities } = await followeesOf(userId, FOR_CACHE_FILL);
  await store
    .multi()
    .sadd(keys.celebrities(userId), SENTINEL, ...celebrities)
    .expire(keys.celebrities(userId), TIMELINE_TTL_SECONDS)
    .exec();
  const authors = [userId, ...regular];
  await writeTimeline(
    keys.home(userId),
    authors,
    await entryIdsByAuthors(authors, timelineCap(), {}, FOR_CACHE_FILL),
  );
}

/** Rebuilds one author's recent-entries cache from MySQL. */
export async function rebuildAuthor(authorId: string): Promise<void> {
  await writeTimeline(
    keys.author(authorId),
    [authorId],
    await entryIdsByAuthors([authorId], timelineCap(), {}, FOR_CACHE_FILL),
  );
}
