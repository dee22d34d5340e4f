import { AppError } from './errors';
import { z } from './zod';

/**
 * Lists page by keyset: the cursor names the last item's id and the next page starts below
 * it, so items arriving meanwhile neither shift nor repeat what the client already has.
 * The cursor is opaque to clients (base64url of a tagged id) and checked on the way in.
 */
export function encodeCursor(id: string): string {
  return Buffer.from(`c1:${id}`, 'utf8').toString('base64url');
}

/** The id a cursor names, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): string | undefined {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^c1:([1-9][0-9]{0,19})$/.exec(decoded);
  return match?.[1];
}

/**
 * A `cursor` query parameter: absent or empty for the first page, else what `decode` makes of
 * it; a value `decode` refuses (undefined) is a 400 naming the parameter.
 */
export function cursorParam<T>(decode: (cursor: string) => T | undefined) {
  return z
    .string()
    .max(100)
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      const key = decode(value);
      if (key === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this API gave out' });
        return z.NEVER;
      }
      return key;
    })
    .openapi({ type: 'string', description: 'nextCursor of the previous page' });
}

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(20)
    .openapi({ example: 20 }),
  cursor: cursorParam(decodeCursor),
});

export type PageInput = z.output<typeof PageQuery>;

/** `{data, nextCursor}` around an item schema. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/**
 * Cuts `limit + 1` fetched items to a page: the extra item only says whether there is more.
 * `idOf` gives the key the next page continues below.
 */
export function toPage<T>(
  items: T[],
  limit: number,
  idOf: (item: T) => string,
  encode: (key: string) => string = encodeCursor,
) {
  const data = items.slice(0, limit);
  const more = items.length > limit && data.length > 0;
  return { data, nextCursor: more ? encode(idOf(data[data.length - 1])) : null };
}

/**
 * Lists ordered by time with no id of their own (likes: a (user, tweet) pair) page by
 * (time, id): the cursor names the last item's time in milliseconds and its id, tagged
 * differently from an id cursor so that one list's cursor is refused by the other.
 */
export interface TimeKey {
  at: Date;
  id: string;
}

/** The key `toPage` takes for a time-keyed list (give `encodeTimeCursor` as its `encode`). */
export const timeKeyOf = (key: TimeKey): string => `${key.at.getTime()}:${key.id}`;

export function encodeTimeCursor(key: string): string {
  return Buffer.from(`t1:${key}`, 'utf8').toString('base64url');
}

/** The time and id a time cursor names, or undefined when it is not one of ours. */
export function decodeTimeCursor(cursor: string): TimeKey | undefined {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^t1:([0-9]{1,15}):([1-9][0-9]{0,19})$/.exec(decoded);
  return match ? { at: new Date(Number(match[1])), id: match[2] } : undefined;
}

export const TimePageQuery = z.object({
  limit: PageQuery.shape.limit,
  cursor: cursorParam(decodeTimeCursor),
});

/**
 * Lists ranked by something that changes while a client pages (an engagement score, a
 * follower count) page through a snapshot of the ranking (app/cache/snapshots.ts): the cursor
 * names the snapshot and the offset of the next page, tagged per list so that one list's
 * cursor is refused by another.
 */
export interface SnapshotPosition {
  snapshot: string;
  offset: number;
}

/** The cursor codec of one snapshot-paged list; `tag` (letters and digits) tells lists apart. */
export function snapshotCursor(tag: string) {
  const pattern = new RegExp(`^${tag}:([0-9A-Za-z_-]{1,40}):(0|[1-9][0-9]{0,5})$`);
  return {
    encode: ({ snapshot, offset }: SnapshotPosition): string =>
      Buffer.from(`${tag}:${snapshot}:${offset}`, 'utf8').toString('base64url'),
    decode: (cursor: string): SnapshotPosition | undefined => {
      const match = pattern.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
      return match ? { snapshot: match[1], offset: Number(match[2]) } : undefined;
    },
  };
}

/** A 400 naming `query.cursor`, for a cursor that decodes but cannot be served. */
export const cursorRefused = (message: string) =>
  new AppError('validation_failed', 'The request has invalid fields.', [
    { field: 'query.cursor', message },
  ]);

/**
 * Cuts a page from `limit + 1` ids read at `at` in a snapshot (null: the snapshot expired,
 * a 400 telling the client to start again); the next cursor continues after the page.
 */
export function toSnapshotPage(
  ids: string[] | null,
  at: SnapshotPosition,
  limit: number,
  encode: (position: SnapshotPosition) => string,
) {
  if (ids === null) throw cursorRefused('has expired; start again without a cursor');
  const data = ids.slice(0, limit);
  const more = ids.length > limit && data.length > 0;
  return {
    data,
    nextCursor: more ? encode({ snapshot: at.snapshot, offset: at.offset + limit }) : null,
  };
}
