import { createHmac } from 'node:crypto';
import type { Transaction } from 'sequelize';
import { config } from '../../config';
import {
  findRefreshTokenByHash,
  insertRefreshToken,
  lockRefreshTokenByHash,
  markRefreshTokenRotated,
  type RefreshTokenRow,
} from '../records/refreshTokens';
import { accessTokenKey, hashToken, newOpaqueToken } from './tokens';

/** A repeat of a refresh this soon after its rotation answers the same pair again. */
export const REPEAT_GRACE_MS = 10_000;

export interface SessionOf {
  userId: string;
  familyId: string;
  /** When the sign-in that began the session happened; rotation copies it. */
  sessionStartedAt: Date;
}

/** When a session's tokens stop being refreshable, however often they rotate. */
const sessionEnd = (sessionStartedAt: Date): number =>
  sessionStartedAt.getTime() + config.jwt.sessionMaxAgeSeconds * 1000;

/**
 * Issues a refresh token in a family; the raw token is returned once and stored hashed. It
 * lives REFRESH_TTL, and never past the end of its session.
 */
export async function issueRefreshToken(
  session: SessionOf,
  transaction?: Transaction,
  token: string = newOpaqueToken(),
): Promise<string> {
  const expiresAt = Math.min(
    Date.now() + config.jwt.refreshTtlSeconds * 1000,
    sessionEnd(session.sessionStartedAt),
  );
  await insertRefreshToken(
    { ...session, tokenHash: hashToken(token), expiresAt: new Date(expiresAt) },
    transaction,
  );
  return token;
}

/**
 * The successor of a refresh token is derived from it (HMAC with the signing key), so a
 * repeated refresh can be answered with the same token again without storing it in the clear.
 */
export function successorToken(token: string): string {
  return createHmac('sha256', accessTokenKey()).update(token, 'utf8').digest('base64url');
}

export type RotationResult =
  | (SessionOf & { ok: true; refreshToken: string; rotatedAt: Date })
  | { ok: false; reason: 'invalid' | 'session_over' }
  | { ok: false; reason: 'reused'; familyId: string; userId: string };

/**
 * Spends a refresh token for its successor. The row is read FOR UPDATE, so of two requests
 * racing with one token the second waits for the first and then sees it rotated. A repeat
 * within REPEAT_GRACE_MS whose successor is still unused gets that successor again (a client
 * that double-submits keeps its session); any other repeat is reuse, which the caller answers
 * by revoking the family (someone else may hold a copy).
 */
export async function rotateRefreshToken(
  token: string,
  transaction: Transaction,
): Promise<RotationResult> {
  const now = new Date();
  const row = await lockRefreshTokenByHash(hashToken(token), 'update', transaction);
  if (!row || row.revokedAt) return { ok: false, reason: 'invalid' };
  if (sessionEnd(row.sessionStartedAt) <= now.getTime())
    return { ok: false, reason: 'session_over' };
  if (row.expiresAt <= now) return { ok: false, reason: 'invalid' };
  const session = {
    userId: String(row.userId),
    familyId: row.familyId,
    sessionStartedAt: row.sessionStartedAt,
  };
  const successor = successorToken(token);
  if (!row.rotatedAt) {
    await markRefreshTokenRotated(row, now, transaction);
    await issueRefreshToken(session, transaction, successor);
    return { ok: true, ...session, refreshToken: successor, rotatedAt: now };
  }
  if (await isUnusedRepeat(row.rotatedAt, successor, now, transaction)) {
    return { ok: true, ...session, refreshToken: successor, rotatedAt: row.rotatedAt };
  }
  return { ok: false, reason: 'reused', familyId: session.familyId, userId: session.userId };
}

async function isUnusedRepeat(
  rotatedAt: Date,
  successor: string,
  now: Date,
  transaction: Transaction,
): Promise<boolean> {
  if (now.getTime() - rotatedAt.getTime() >= REPEAT_GRACE_MS) return false;
  // A locking read: it sees the successor the racing request just committed.
  const next = await lockRefreshTokenByHash(hashToken(successor), 'share', transaction);
  return next !== null && !next.rotatedAt && !next.revokedAt && next.expiresAt > now;
}

/**
 * The owner of a refresh token, whatever its state (logout checks it is the caller's). Read
 * from the primary: a logout right after login must find the token a replica may lack.
 */
export async function findRefreshToken(token: string): Promise<RefreshTokenRow | null> {
  return findRefreshTokenByHash(hashToken(token));
}
