import { PageQuery, cursorParam, snapshotCursor } from '../http/paging';
import { z } from '../http/zod';

/** What to look for: 1–100 characters once trimmed. */
const Q = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .openapi({ example: 'ali' });

/**
 * A user search pages through a snapshot of its ranking (app/search/service.ts): the cursor
 * names the snapshot and an offset, tagged apart from other lists' cursors so that a cursor
 * from another list is refused.
 */
export const userSearchCursor = snapshotCursor('su1');

export const SearchUsersQuery = z.object({
  q: Q,
  limit: PageQuery.shape.limit,
  cursor: cursorParam(userSearchCursor.decode).openapi({
    description: 'nextCursor of the previous page, given with the same q',
  }),
});

export const SearchTweetsQuery = PageQuery.extend({ q: Q });
