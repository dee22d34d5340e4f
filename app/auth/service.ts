import { setTimeout as sleep } from 'node:timers/promises';
import { type Transaction, UniqueConstraintError } from 'sequelize';
import { AppError, unauthorized } from '../http/errors';
import { limitAccountAttempt } from '../http/rateLimit';
import { logger } from '../infra/logger';
import { enqueueAfterCommit } from '../queue/queues';
import { presentUser } from '../users/presenter';
import {
  findTokenVersion,
  findUser,
  findUserByKey,
  insertUser,
  setPasswordAndRevoke,
} from '../records/users';
import type { User } from '../../models';
import { inTransaction } from '../infra/db';
import {
  findPasswordResetByHash,
  insertPasswordReset,
  spendPasswordResets,
  type PasswordResetRow,
} from '../records/passwordResets';
import { revokeFamilyTokens, revokeUserTokens } from '../records/refreshTokens';
import { checkPassword, hashPassword } from './passwords';
import { issueRefreshToken, rotateRefreshToken, findRefreshToken } from './refreshTokens';
import { publishFamilyRevoked, publishTokenVersion, revocationNotPublished } from './revocation';
import { hashToken, newFamilyId, signAccessToken } from './tokens';
import { cacheUpkeep } from '../cache/upkeep';

const RESET_TTL_MS = 60 * 60 * 1000;

/**
 * The answer of a sign-in or a refresh. A rotation signs its access token as of the rotation
 * (`issuedAt`), so a repeated refresh reproduces the very same token.
 */
function sessionFor(user: User, familyId: string, refreshToken: string, issuedAt?: Date) {
  const claims = { sub: String(user.id), ver: user.tokenVersion, fam: familyId };
  const iat = issuedAt && Math.floor(issuedAt.getTime() / 1000);
  return { user: presentUser(user), accessToken: signAccessToken(claims, iat), refreshToken };
}

/** Begins a session: a new refresh-token family whose lifetime counts from now. */
async function startSession(user: User, transaction?: Transaction) {
  const familyId = newFamilyId();
  const session = { userId: user.id, familyId, sessionStartedAt: new Date() };
  return sessionFor(user, familyId, await issueRefreshToken(session, transaction));
}

function takenError(error: UniqueConstraintError): AppError | null {
  const where = `${Object.keys(error.fields ?? {}).join(' ')} ${String(error.parent?.message)}`;
  if (where.includes('username_key'))
    return new AppError('username_taken', 'That username is taken.');
  if (where.includes('email_key'))
    return new AppError('email_taken', 'That email is already registered.');
  return null;
}

/** Creates an account and its first session; `address` is the client's, for its budgets. */
export async function register(
  input: { username: string; email: string; password: string; displayName?: string },
  address: string,
) {
  await limitAccountAttempt(address, `register:email:${input.email.toLowerCase()}`);
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(async (transaction) => {
      const user = await insertUser(
        {
          username: input.username,
          usernameKey: input.username.toLowerCase(),
          email: input.email,
          emailKey: input.email.toLowerCase(),
          displayName: input.displayName ?? input.username,
          passwordHash,
        },
        { transaction, readBack: true },
      );
      return startSession(user, transaction);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw takenError(error) ?? error;
    throw error;
  }
}

type Identifier = 'username' | 'email';

/**
 * The account an identifier names. Looked up by its key, then compared exactly here: MySQL
 * compares VARCHAR with PAD SPACE, so the lookup alone also finds `bob` for `bob   `.
 */
async function findAccount(by: Identifier, key: string): Promise<User | null> {
  const user = await findUserByKey(by, key);
  const found = by === 'username' ? user?.usernameKey : user?.emailKey;
  // An account being deleted is gone for its holder too: no sign-in, as for an unknown one.
  return user && found === key && !user.deletedAt ? user : null;
}

/**
 * Signs in with a username or an email (both trimmed by the schema). The account's budgets are
 * spent once the lookup named it, whatever identifier reached it, and before bcrypt runs.
 */
export async function login(
  input: { username?: string; email?: string; password: string },
  address: string,
) {
  const by: Identifier = input.username !== undefined ? 'username' : 'email';
  const key = (input.username ?? input.email ?? '').toLowerCase();
  const user = await findAccount(by, key);
  await limitAccountAttempt(address, user ? `login:user:${user.id}` : `login:${by}:${key}`);
  if (!(await checkPassword(input.password, user?.passwordHash)) || !user) {
    throw new AppError('invalid_credentials', 'The username, email or password is wrong.');
  }
  // Only after the password: a suspension is told to the account's holder, nobody else.
  if (user.suspendedAt) throw accountSuspended();
  return startSession(user);
}

const accountSuspended = () =>
  new AppError('suspended', 'This account is suspended; an admin may lift the suspension.');

/** Whether a refresh token (in any state) belongs to a suspended account. */
async function tokenOfSuspendedAccount(token: string): Promise<boolean> {
  const row = await findRefreshToken(token);
  if (!row) return false;
  const user = await findUser(String(row.userId), { useMaster: true });
  return Boolean(user?.suspendedAt);
}

/** Rotates a refresh token: the old one is spent, a new one of the same family is issued. */
export async function refresh(token: string) {
  const outcome = await inTransaction(async (transaction) => {
    const rotation = await rotateRefreshToken(token, transaction);
    if (!rotation.ok) return rotation;
    const user = await findUser(rotation.userId, { transaction });
    // Thrown here, not after the commit: the rotation rolls back with it, issuing nothing.
    if (user?.suspendedAt) throw accountSuspended();
    return user && !user.deletedAt
      ? { ...rotation, user }
      : { ok: false as const, reason: 'invalid' as const };
  });
  if (!outcome.ok) {
    if (outcome.reason === 'reused') await revokeReusedFamily(outcome.familyId, outcome.userId);
    // A suspension revoked the account's refresh tokens: its holder is told why they fail.
    if (await tokenOfSuspendedAccount(token)) throw accountSuspended();
    throw unauthorized(
      outcome.reason === 'session_over'
        ? 'The session is over; sign in again.'
        : 'The refresh token is not valid.',
    );
  }
  return sessionFor(outcome.user, outcome.familyId, outcome.refreshToken, outcome.rotatedAt);
}

/** Someone presented a token that was already exchanged: a copy may be in other hands. */
async function revokeReusedFamily(familyId: string, userId: string): Promise<void> {
  await revokeFamilyTokens(familyId);
  const published = await cacheUpkeep(() => publishFamilyRevoked(familyId, userId), {
    authUserIds: [userId],
  });
  if (!published) await revocationNotPublished(userId);
  logger.warn({ familyId }, 'refresh token reuse: family revoked');
}

/** Ends the session a refresh token belongs to, if it is the caller's. Idempotent. */
export async function logout(viewerId: string, token: string): Promise<void> {
  const row = await findRefreshToken(token);
  if (!row || String(row.userId) !== viewerId) return;
  await revokeFamilyTokens(row.familyId);
  const published = await cacheUpkeep(() => publishFamilyRevoked(row.familyId, viewerId), {
    authUserIds: [viewerId],
  });
  if (!published) await revocationNotPublished(viewerId);
}

/**
 * How long forgot-password takes at least. A known address costs a transaction and a queued
 * job, an unknown one a single read (12 ms against 5 ms, measured): both answer after this
 * floor, well above either, so the answer's timing does not tell which one it was.
 */
export const FORGOT_PASSWORD_FLOOR_MS = 150;

/** Queues a reset mail when the address is known; says nothing either way. */
export async function forgotPassword(email: string, address: string): Promise<void> {
  await Promise.all([mailResetLink(email, address), sleep(FORGOT_PASSWORD_FLOOR_MS)]);
}

async function mailResetLink(email: string, address: string): Promise<void> {
  const key = email.toLowerCase();
  const user = await findAccount('email', key);
  await limitAccountAttempt(address, user ? `forgot:user:${user.id}` : `forgot:email:${key}`);
  if (!user) return;
  await inTransaction(async (transaction) => {
    const resetId = await insertPasswordReset(
      user.id,
      new Date(Date.now() + RESET_TTL_MS),
      transaction,
    );
    await enqueueAfterCommit(
      transaction,
      'mail',
      { kind: 'passwordReset', resetId },
      { jobId: `passwordReset:${resetId}` },
    );
  });
}

const usable = (reset: PasswordResetRow | null): reset is PasswordResetRow =>
  reset !== null && !reset.usedAt && reset.expiresAt.getTime() > Date.now();

const invalidResetToken = () =>
  new AppError('invalid_token', 'The reset link is unknown, used or expired.');

/**
 * Sets a new password with a single-use reset token, and revokes every access and refresh
 * token issued before it (the token version moves on; refresh tokens are revoked).
 */
export async function resetPassword(token: string, password: string): Promise<void> {
  const tokenHash = hashToken(token);
  // The token first: a bogus one costs a lookup, never a bcrypt hash (about 230 ms of CPU).
  if (!usable(await findPasswordResetByHash(tokenHash))) {
    throw invalidResetToken();
  }
  const passwordHash = await hashPassword(password);
  const { userId, tokenVersion } = await inTransaction(async (transaction) => {
    const reset = await findPasswordResetByHash(tokenHash, transaction);
    // Again under the lock: a concurrent reset may have spent it while this one hashed.
    if (!usable(reset)) throw invalidResetToken();
    const now = new Date();
    // This link and any other outstanding link of the user are spent together.
    await spendPasswordResets(reset.userId, now, transaction);
    await setPasswordAndRevoke(reset.userId, passwordHash, transaction);
    await revokeUserTokens(reset.userId, transaction);
    const user = await findTokenVersion(reset.userId, transaction);
    return { userId: String(reset.userId), tokenVersion: user!.tokenVersion };
  });
  const published = await cacheUpkeep(() => publishTokenVersion(userId, tokenVersion), {
    authUserIds: [userId],
  });
  if (!published) await revocationNotPublished(userId);
}
