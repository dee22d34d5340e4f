import jwt from 'jsonwebtoken';
import { isAccessTokenLive } from './revocation';
import {
  accessTokenKey,
  accessTokenVerifyOptions,
  asAccessClaims,
  type AccessClaims,
} from './tokens';

/**
 * Verifies an access token outside passport (Socket.IO handshakes): the same key, algorithm,
 * issuer, audience and revocation check as REST. Answers the claims and the expiry (ms), or
 * null for any token that must be refused.
 */
export async function verifyAccessToken(
  token: unknown,
): Promise<{ claims: AccessClaims; expiresAt: number } | null> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return null;
  let payload: unknown;
  try {
    payload = jwt.verify(token, accessTokenKey(), accessTokenVerifyOptions);
  } catch {
    return null;
  }
  const claims = asAccessClaims(payload);
  const exp = (payload as { exp?: unknown }).exp;
  if (!claims || typeof exp !== 'number') return null;
  if (!(await isAccessTokenLive(claims))) return null;
  return { claims, expiresAt: exp * 1000 };
}
