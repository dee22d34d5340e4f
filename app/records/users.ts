import { literal, type Transaction } from 'sequelize';
import { select, execute, type ReadFrom } from '../infra/db';
import { User } from '../../models';
import type { UserRole } from '../../models/User';
import { recountCounters, type RecountScope } from './recount';
import { blockingSql } from './blocks';
import { mutingSql } from './mutes';

/**
 * The `users` table: every read and write of it lives here. Accounts go through the `User`
 * model (one row, one statement either way); profile reads, row locks and counter moves are
 * raw SQL where they are hot or arithmetic (see each). Bulk inserts for the seeders live here
 * too, as multi-row statements, and their recount of the counters.
 */

/**
 * SQL true when the user row `alias` is an active account: neither suspended nor being
 * deleted. The one test every read that hides such accounts (profiles, tweets, follows) uses.
 */
export const activeUserSql = (alias: string): string =>
  `${alias}.suspended_at IS NULL AND ${alias}.deleted_at IS NULL`;

/**
 * The viewer's relations to a user that a user answer shows when there is a viewer, each as
 * SQL true when it holds for the row `u`: the one list the profile read, the presenter and
 * the User schema follow (a new one is a line here and its description in the schema).
 */
export const USER_VIEWER_FLAGS = {
  following:
    'EXISTS(SELECT 1 FROM follows f WHERE f.follower_id = :viewerId AND f.followee_id = u.id)',
  blocking: blockingSql(':viewerId', 'u.id'),
  muting: mutingSql(':viewerId', 'u.id'),
} as const;

export type UserViewerFlag = keyof typeof USER_VIEWER_FLAGS;

export const USER_VIEWER_FLAG_NAMES = Object.keys(USER_VIEWER_FLAGS) as UserViewerFlag[];

/**
 * The columns every answer shows of a user: a model instance or a row of `profileRows`, with
 * the viewer's flags when known (MySQL answers EXISTS as 0 or 1).
 */
export interface UserFields extends Partial<Record<UserViewerFlag, number | boolean>> {
  id: string | number;
  username: string;
  displayName: string;
  bio: string;
  createdAt: Date;
  followersCount: number;
  followingCount: number;
  tweetsCount: number;
}

export type ProfileRow = UserFields & { id: string };

/**
 * The profiles of `ids` (in no order; unknown, suspended and deleted ids are missing), with the
 * viewer's follow of each, in one query. Raw SQL: profile reads are a fifth of all traffic,
 * so they get no model instances and no second round trip (test/load found them the API's
 * largest MySQL cost).
 */
export async function profileRows(
  viewerId: string | null,
  ids: string[],
  read: ReadFrom = {},
): Promise<ProfileRow[]> {
  if (ids.length === 0) return [];
  const rows = await select<ProfileRow>(
    `SELECT ${profileColumns(viewerId !== null)}
       FROM users u WHERE u.id IN (:ids) AND ${activeUserSql('u')}`,
    { replacements: { viewerId, ids }, ...read },
  );
  return rows.map((row) => ({ ...row, id: String(row.id) }));
}

/** The columns of a ProfileRow of users `u`, with the flags of the viewer `:viewerId` if any. */
function profileColumns(withFlags: boolean): string {
  const flags = withFlags
    ? Object.entries(USER_VIEWER_FLAGS)
        .map(([name, sql]) => `, ${sql} AS ${name}`)
        .join('')
    : '';
  return `u.id, u.username, u.display_name AS displayName, u.bio, u.created_at AS createdAt,
          u.followers_count AS followersCount, u.following_count AS followingCount,
          u.tweets_count AS tweetsCount${flags}`;
}

/** A whole account row (null: no such user); `useMaster` reads it from the primary. */
export async function findUser(
  id: string,
  options: { transaction?: Transaction; useMaster?: boolean } = {},
): Promise<User | null> {
  return User.findByPk(id, options);
}

/** Whether a user exists and is active (not suspended or being deleted; one read by key). */
export async function userExists(id: string): Promise<boolean> {
  const user = await User.findByPk(id, { attributes: ['id', 'suspendedAt', 'deletedAt'] });
  return user !== null && user.suspendedAt === null && user.deletedAt === null;
}

/**
 * The account whose `usernameKey` or `emailKey` is `key`, read from the primary: a replica
 * may not have the account just registered or the password just reset. MySQL compares with
 * PAD SPACE, so the caller compares the key it gets back exactly.
 */
export async function findUserByKey(by: 'username' | 'email', key: string): Promise<User | null> {
  const where = by === 'username' ? { usernameKey: key } : { emailKey: key };
  return User.findOne({ where, useMaster: true });
}

/**
 * The id of the account named `username` (any case: looked up by `usernameKey`, then compared
 * exactly, as login does, since MySQL compares with PAD SPACE). Null: no such user.
 */
export async function findUserIdByUsername(username: string): Promise<string | null> {
  const key = username.toLowerCase();
  return (await accountsByUsernameKeys([key])).get(key)?.id ?? null;
}

/** What `PATCH /users/me` may change. */
export interface ProfileChange {
  displayName?: string;
  bio?: string;
}

/**
 * Sets a user's profile fields in `transaction` (the row locked first, so the answer says
 * what this change did). Answers null for no such user, else whether the display name, which
 * cached tweets embed, changed.
 */
export async function updateProfile(
  id: string,
  change: ProfileChange,
  transaction: Transaction,
): Promise<{ displayNameChanged: boolean } | null> {
  const user = await User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!user) return null;
  const displayNameChanged =
    change.displayName !== undefined && change.displayName !== user.displayName;
  await user.update(change, { transaction });
  return { displayNameChanged };
}

/** The columns of a new account (the rest take their defaults). */
export interface NewUser {
  username: string;
  usernameKey: string;
  email: string;
  emailKey: string;
  displayName: string;
  passwordHash: string;
  bio?: string;
}

/**
 * Creates an account; `readBack` reads the row again, for its defaults (counters, version)
 * as stored.
 */
export async function insertUser(
  fields: NewUser,
  { transaction, readBack = false }: { transaction?: Transaction; readBack?: boolean } = {},
): Promise<User> {
  const user = await User.create(fields, { transaction });
  if (readBack) await user.reload({ transaction });
  return user;
}

/**
 * The accounts named by these lowercased names (`username_key`s), as `{id, username}` by key,
 * for a tweet's mentions: one query for every name of the tweets being filled into the cache.
 * Raw SQL: a hot read of two columns, no model instances. Compared exactly after the read, as
 * MySQL compares with PAD SPACE.
 */
export async function accountsByUsernameKeys(
  keys: string[],
  read: ReadFrom & { transaction?: Transaction } = {},
): Promise<Map<string, { id: string; username: string }>> {
  const found = new Map<string, { id: string; username: string }>();
  if (keys.length === 0) return found;
  const rows = await select<{ id: string; username: string; usernameKey: string }>(
    'SELECT id, username, username_key AS usernameKey FROM users WHERE username_key IN (:keys)',
    { replacements: { keys }, ...read },
  );
  for (const row of rows) {
    if (keys.includes(row.usernameKey)) {
      found.set(row.usernameKey, { id: String(row.id), username: row.username });
    }
  }
  return found;
}

/** Accounts whose `usernameKey` is one of `keys`. */
export async function findUsersByUsernameKeys(keys: string[]): Promise<User[]> {
  return User.findAll({ where: { usernameKey: keys } });
}

/**
 * A user's token version (null: no such user): from the primary by default, a check must not
 * lag a reset; in `transaction` when given.
 */
export async function findTokenVersion(
  id: string,
  transaction?: Transaction,
): Promise<{ id: string; tokenVersion: number } | null> {
  const user = await User.findByPk(id, {
    attributes: ['id', 'tokenVersion'],
    ...(transaction ? { transaction } : { useMaster: true }),
  });
  return user && { id: String(user.id), tokenVersion: user.tokenVersion };
}

/** A user's role (null: no such user), read from the primary so a revoke counts at once. */
export async function findUserRole(id: string): Promise<UserRole | null> {
  const user = await User.findByPk(id, { attributes: ['id', 'role'], useMaster: true });
  return user?.role ?? null;
}

/** Where a mail to a user goes, and the name it greets (null: no such user). */
export async function findMailRecipient(
  id: string,
): Promise<{ id: string; email: string; displayName: string } | null> {
  const user = await User.findByPk(id, { attributes: ['id', 'email', 'displayName'] });
  return user && { id: String(user.id), email: user.email, displayName: user.displayName };
}

/** The account named `username` (any case), locked for the rest of the transaction. */
export async function lockUserByUsername(
  username: string,
  transaction: Transaction,
): Promise<User | null> {
  return User.findOne({
    where: { usernameKey: username.toLowerCase() },
    transaction,
    lock: transaction.LOCK.UPDATE,
  });
}

/** Sets a (locked) user's role. */
export async function setUserRole(
  user: User,
  role: UserRole,
  transaction: Transaction,
): Promise<void> {
  await user.update({ role }, { transaction });
}

/**
 * Suspends (`suspend`) or unsuspends a user in `transaction`, the row locked. Suspending also
 * moves the token version on, which revokes every access token. Answers null for no such
 * user, else whether the state changed and the token version after it (idempotent).
 */
export async function setSuspended(
  id: string,
  suspend: boolean,
  transaction: Transaction,
): Promise<{ changed: boolean; tokenVersion: number; username: string } | null> {
  const user = await User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!user) return null;
  const changed = (user.suspendedAt !== null) !== suspend;
  if (changed && suspend) {
    await user.update(
      { suspendedAt: new Date(), tokenVersion: user.tokenVersion + 1 },
      { transaction },
    );
  } else if (changed) {
    await user.update({ suspendedAt: null }, { transaction });
  }
  return { changed, tokenVersion: user.tokenVersion, username: user.username };
}

/** Sets a new password and moves the token version on, which revokes every access token. */
export async function setPasswordAndRevoke(
  id: string,
  passwordHash: string,
  transaction: Transaction,
): Promise<void> {
  await User.update(
    { passwordHash, tokenVersion: literal('token_version + 1') },
    { where: { id }, transaction },
  );
}

/** A user's row as lockUsersFollowers locked it. */
export interface LockedUser {
  id: string;
  followers: number;
  /** Suspended or being deleted. */
  suspended: boolean;
  /** With `asSeenBy`: the row as profileRows answers it to that viewer, as locked. */
  profile?: ProfileRow;
}

/**
 * Locks the rows of `ids` in id order (two users following each other at once cannot
 * deadlock) and answers each one's follower count and whether it is inactive (suspended or
 * being deleted: `suspended`). With `asSeenBy`, the same statement reads each row's profile
 * as that viewer sees it (the viewer flags are subqueries, read and not locked): a follow's
 * answer is its target as locked, with the change applied, not a read after the commit.
 */
export async function lockUsersFollowers(
  ids: string[],
  transaction: Transaction,
  asSeenBy?: string,
): Promise<LockedUser[]> {
  const rows = await select<ProfileRow & { followers: number; suspended: number }>(
    `SELECT ${asSeenBy ? profileColumns(true) : 'u.id'}, u.followers_count AS followers,
            NOT (${activeUserSql('u')}) AS suspended
       FROM users u WHERE u.id IN (:ids) ORDER BY u.id FOR UPDATE`,
    { replacements: { ids, viewerId: asSeenBy ?? null }, transaction },
  );
  return rows.map(({ followers, suspended, ...profile }) => ({
    id: String(profile.id),
    followers: Number(followers),
    suspended: Number(suspended) === 1,
    ...(asSeenBy ? { profile: { ...profile, id: String(profile.id) } } : {}),
  }));
}

type UserCounter = 'tweets_count' | 'followers_count' | 'following_count';

/** Moves one counter of users by ±1 each. Raw SQL: arithmetic in place, no read-modify-write. */
export async function bumpUserCounter(
  ids: string[],
  counter: UserCounter,
  delta: 1 | -1,
  transaction: Transaction,
): Promise<void> {
  if (ids.length === 0) return;
  const change = delta > 0 ? `${counter} + 1` : `GREATEST(${counter}, 1) - 1`;
  await execute(`UPDATE users SET ${counter} = ${change} WHERE id IN (:ids)`, {
    replacements: { ids },
    transaction,
  });
}

/**
 * A follow made (+1) or undone (-1): the follower's following_count and the followee's
 * followers_count move in one statement (one round trip, not two).
 */
export async function moveFollowCounters(
  followerId: string,
  followeeId: string,
  delta: 1 | -1,
  transaction: Transaction,
): Promise<void> {
  const change = (counter: UserCounter) =>
    delta > 0 ? `${counter} + 1` : `GREATEST(${counter}, 1) - 1`;
  await execute(
    `UPDATE users
        SET following_count = IF(id = :followerId, ${change('following_count')}, following_count),
            followers_count = IF(id = :followeeId, ${change('followers_count')}, followers_count)
      WHERE id IN (:followerId, :followeeId)`,
    { replacements: { followerId, followeeId }, transaction },
  );
}

/** Columns of the tuples `insertUsersBulk` takes, in order. */
export const USER_BULK_COLUMNS = [
  'username',
  'username_key',
  'email',
  'email_key',
  'display_name',
  'password_hash',
  'created_at',
  'updated_at',
] as const;

/**
 * Bulk seeding: one multi-row INSERT of pre-rendered SQL literal tuples (in USER_BULK_COLUMNS
 * order), one statement per batch instead of one ORM call per row.
 */
export async function insertUsersBulk(
  tuples: string[],
): Promise<{ affectedRows: number; insertId: string }> {
  return execute(`INSERT INTO users (${USER_BULK_COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`);
}

/** Whether any account's `usernameKey` starts with `prefix` and an underscore (bulk worlds). */
export async function usernamePrefixInUse(prefix: string): Promise<boolean> {
  const rows = await select('SELECT 1 FROM users WHERE username_key LIKE :pattern LIMIT 1', {
    replacements: { pattern: `${prefix}\\_%` },
  });
  return rows.length > 0;
}

/** Ids of the `count` users with ids in [from, to] who follow the most accounts. */
export async function mostFollowingIds(
  range: { from: number; to: number },
  count: number,
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    `SELECT id FROM users WHERE id BETWEEN :from AND :to
     ORDER BY following_count DESC, id LIMIT :count`,
    { replacements: { ...range, count } },
  );
  return rows.map((row) => String(row.id));
}

/** What each counter counts: the rows of `from` whose `key` names the user. */
const COUNTED: Record<UserCounter, { from: 'follows' | 'tweets'; key: string }> = {
  followers_count: { from: 'follows', key: 'followee_id' },
  following_count: { from: 'follows', key: 'follower_id' },
  // Retweets are rows of their author too, as the API counts them.
  tweets_count: { from: 'tweets', key: 'author_id' },
};

/** How many counters `recountUserCounters` sets (for progress). */
export const USER_COUNTER_COUNT = Object.keys(COUNTED).length;

/** Seeding: sets every counter of the users in scope to what the rows say. */
export async function recountUserCounters(
  scope: RecountScope,
  onStep?: () => void,
): Promise<number> {
  return recountCounters('users', COUNTED, scope, { onStep });
}

/**
 * Marks an account as being deleted in `transaction` (the row locked) and moves its token
 * version on, which revokes every access token. Answers the token version after it, or null
 * for no such user or one already being deleted (idempotent: nothing changes then).
 */
export async function markDeleting(
  id: string,
  transaction: Transaction,
): Promise<{ tokenVersion: number } | null> {
  const user = await User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!user || user.deletedAt) return null;
  await user.update(
    { deletedAt: new Date(), tokenVersion: user.tokenVersion + 1 },
    { transaction },
  );
  return { tokenVersion: user.tokenVersion };
}

/**
 * The account deletion job's view of a user, its row locked in `transaction`: whether it
 * is there and being deleted (null: the row is gone, the job is done).
 */
export async function lockDeletingUser(
  id: string,
  transaction: Transaction,
): Promise<{ deleting: boolean } | null> {
  const user = await User.findByPk(id, {
    attributes: ['id', 'deletedAt'],
    transaction,
    lock: transaction.LOCK.UPDATE,
  });
  return user && { deleting: user.deletedAt !== null };
}

/** Account deletion's last step: removes the user row (its username and email are free). */
export async function deleteUserRow(id: string, transaction: Transaction): Promise<void> {
  await User.destroy({ where: { id }, transaction });
}
