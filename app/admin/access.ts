import { verifyAccessToken } from '../auth/verify';
import { config } from '../../config';
import { forbidden, unauthorized } from '../http/errors';
import type { Viewer } from '../http/context';
import { findUserRole } from '../records/users';

/** Where the queue board lives; its cookie is scoped to this path and nothing else. */
export const BOARD_PATH = '/admin/queues';
export const BOARD_COOKIE = 'chirp_admin';

/**
 * Proves that `token` is a live access token of an admin. The role is read on every call
 * (from the primary), so `admin:grant --revoke` takes effect on the next request.
 */
export async function provenAdmin(
  token: string | undefined,
): Promise<{ viewer: Viewer; token: string; expiresAt: number }> {
  if (!token) {
    throw unauthorized(`Sign in at ${BOARD_PATH} first, with an admin's access token.`);
  }
  const proven = await verifyAccessToken(token);
  if (!proven) throw unauthorized();
  if ((await findUserRole(proven.claims.sub)) !== 'admin')
    throw forbidden('The queue board is for admins.');
  const viewer = { id: proven.claims.sub, familyId: proven.claims.fam };
  return { viewer, token, expiresAt: proven.expiresAt };
}

/**
 * The cookie that carries the token to the board's pages, scripts and API calls, which a
 * browser cannot give an Authorization header. HttpOnly: no script reads it; SameSite=Strict:
 * no other site's page can make the browser send it (the board's actions are safe from
 * CSRF); Path: sent to the board only; it lives no longer than the token.
 */
export function boardCookie(token: string, expiresAt: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
  const attributes = [
    `${BOARD_COOKIE}=${token}`,
    `Path=${BOARD_PATH}`,
    `Max-Age=${maxAge}`,
    'HttpOnly',
    'SameSite=Strict',
  ];
  if (secure || config.publicUrl.startsWith('https:')) attributes.push('Secure');
  return attributes.join('; ');
}
