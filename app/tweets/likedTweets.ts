import { notFound } from '../http/errors';
import { encodeTimeCursor, timeKeyOf, toPage, type TimeKey } from '../http/paging';
import { likePage } from '../records/likes';
import { userExists } from '../records/users';
import { pageJson } from './presenter';
import { visibleEntries } from './visibility';

/**
 * A page of the tweets a user liked, newest like first, as JSON text for the viewer; 404 for
 * no such user, or one blocked either way with the viewer (whose tweets are left out too). Likes have no id of their own, so the cursor is the like's (time, tweet id).
 */
export async function likedTweetsPage(
  viewerId: string,
  userId: string,
  below: TimeKey | undefined,
  limit: number,
): Promise<string> {
  if (!(await userExists(userId))) throw notFound('user');
  const rows = await likePage('user', userId, below, limit + 1);
  const { data, nextCursor } = toPage(rows, limit, timeKeyOf, encodeTimeCursor);
  const { texts, ownerBlocked } = await visibleEntries(
    viewerId,
    data.map((row) => row.id),
    [userId],
  );
  if (ownerBlocked) throw notFound('user');
  return pageJson(texts, nextCursor);
}
