import { PageQuery, cursorParam } from '../http/paging';
import { z } from '../http/zod';
import type { UserSearchKey } from '../records/search';

/** What to look for: 1–100 characters once trimmed. */
const Q = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .openapi({ example: 'ali' });

/**
 * A user search page continues below the last user's (followers count, id): the cursor is
 * base64url of `u1:<followers>:<id>`, tagged apart from id cursors so that a cursor from
 * another list is refused.
 */
export function encodeUserSearchCursor(key: string): string {
  return Buffer.from(`u1:${key}`, 'utf8').toString('base64url');
}

export const userSearchKeyOf = (key: UserSearchKey) => `${key.followers}:${key.id}`;

function decodeUserSearchCursor(cursor: string): UserSearchKey | undefined {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^u1:(0|[1-9][0-9]{0,9}):([1-9][0-9]{0,19})$/.exec(decoded);
  return match ? { followers: Number(match[1]), id: match[2] } : undefined;
}

export const SearchUsersQuery = z.object({
  q: Q,
  limit: PageQuery.shape.limit,
  cursor: cursorParam(decodeUserSearchCursor),
});

export const SearchTweetsQuery = PageQuery.extend({ q: Q });
