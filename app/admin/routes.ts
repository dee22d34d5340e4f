import { AppError } from '../http/errors';
import type { AppContext } from '../http/context';
import { defineRoute, type Reply } from '../http/route';
import { IdParams, z } from '../http/zod';
import { BOARD_COOKIE, BOARD_PATH, boardCookie, provenAdmin } from './access';
import { listAudit } from './audit';
import { suspendUser, unsuspendUser } from './moderation';
import { AuditPage, AuditQuery, MAX_REASON, ReasonBody, SuspensionSchema } from './schemas';
import { SIGN_IN_HTML, SIGN_IN_JS, SIGN_IN_SCRIPT_PATH } from './signInPage';

const SignInBody = z.object({
  token: z.string().min(1).max(4096).openapi({ description: 'An access token of an admin.' }),
});

/** True when the board cookie already proves an admin; any refusal only means "sign in". */
async function signedIn(ctx: AppContext): Promise<boolean> {
  try {
    await provenAdmin(ctx.cookies.get(BOARD_COOKIE));
    return true;
  } catch (error) {
    if (error instanceof AppError) return false;
    throw error;
  }
}

/** A 200 answer of one of the sign-in page's own files, cached as `cacheControl` says. */
function pageFile(type: string, body: string, cacheControl: string): Reply {
  return { status: 200, raw: { type, body }, headers: { 'Cache-Control': cacheControl } };
}

/**
 * The way into the queue board: a browser cannot send a Bearer header with every asset, so a
 * cookie carries the token; it is set from a POSTed body, never from a URL (access logs and
 * browser history keep URLs).
 */
export const adminRoutes = [
  defineRoute({
    method: 'get',
    path: BOARD_PATH,
    operationId: 'getQueueBoardSignInPage',
    summary: 'The queue board sign-in page (Bull Board), for admins',
    description:
      `A browser whose board cookie already proves an admin goes on to \`${BOARD_PATH}/\`; ` +
      `anyone else gets a page where an admin pastes an access token, which its script POSTs ` +
      `to \`${BOARD_PATH}\`. A \`?token=\` in the URL is not read.`,
    tags: ['operations'],
    auth: 'none',
    responses: {
      200: { description: 'The sign-in page', contentType: 'text/html' },
      303: { description: `Already signed in; on to \`${BOARD_PATH}/\`` },
    },
    async handle({ ctx }): Promise<Reply> {
      if (await signedIn(ctx)) {
        return {
          status: 303,
          headers: { Location: `${BOARD_PATH}/`, 'Cache-Control': 'no-store' },
        };
      }
      return pageFile('text/html; charset=utf-8', SIGN_IN_HTML, 'no-store');
    },
  }),
  defineRoute({
    method: 'get',
    path: SIGN_IN_SCRIPT_PATH,
    operationId: 'getQueueBoardSignInScript',
    summary: "The queue board sign-in page's script",
    tags: ['operations'],
    auth: 'none',
    responses: { 200: { description: 'JavaScript', contentType: 'application/javascript' } },
    handle: () =>
      pageFile('application/javascript; charset=utf-8', SIGN_IN_JS, 'public, max-age=3600'),
  }),
  defineRoute({
    method: 'post',
    path: BOARD_PATH,
    operationId: 'signInToQueueBoard',
    summary: 'Sign in to the queue board with an admin access token',
    description:
      `Checks the access token, then sets an HttpOnly, SameSite=Strict cookie \`${BOARD_COOKIE}\` ` +
      `scoped to \`${BOARD_PATH}\` that holds it; the board is at \`${BOARD_PATH}/\`. The cookie ` +
      'expires with the token: sign in again with a new one. Grant the role with ' +
      '`npm run admin:grant -- <username>`.',
    tags: ['operations'],
    auth: 'none',
    request: { body: SignInBody },
    responses: { 204: { description: 'Signed in: the cookie is set' } },
    errors: ['unauthorized', 'forbidden', 'unsupported_media_type'],
    async handle({ body, ctx }) {
      const { token, expiresAt } = await provenAdmin(body.token);
      return {
        status: 204,
        headers: {
          'Set-Cookie': boardCookie(token, expiresAt, ctx.secure),
          'Cache-Control': 'no-store',
        },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/users/:id/suspend',
    operationId: 'suspendUser',
    summary: 'Suspend an account (admins; idempotent)',
    description:
      `Body \`{reason}\`, 1-${MAX_REASON} characters. At once: the account's sessions end ` +
      '(every access and refresh token is refused, its sockets are cut on every node), its ' +
      'login and refresh answer 403 `suspended`, and its profile, tweets and retweets answer ' +
      '404 to everyone and leave every list. Written to the audit log when it changes ' +
      'anything. An admin cannot suspend themself (400 `cannot_suspend_self`).',
    tags: ['admin'],
    auth: 'required',
    request: { params: IdParams, body: ReasonBody },
    responses: { 200: { description: 'The account, suspended', schema: SuspensionSchema } },
    errors: ['cannot_suspend_self', 'forbidden', 'not_found'],
    async handle({ params, body, viewer }) {
      return { status: 200, body: await suspendUser(viewer.id, params.id, body.reason) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/users/:id/unsuspend',
    operationId: 'unsuspendUser',
    summary: 'Lift a suspension (admins; idempotent)',
    description:
      `Body \`{reason}\`, 1-${MAX_REASON} characters. The account may sign in again (its old ` +
      'sessions stay ended); its profile and tweets are back, and its recent entries return ' +
      "to its followers' home timelines. Written to the audit log when it changes anything.",
    tags: ['admin'],
    auth: 'required',
    request: { params: IdParams, body: ReasonBody },
    responses: {
      200: { description: 'The account, no longer suspended', schema: SuspensionSchema },
    },
    errors: ['forbidden', 'not_found'],
    async handle({ params, body, viewer }) {
      return { status: 200, body: await unsuspendUser(viewer.id, params.id, body.reason) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/admin/audit',
    operationId: 'listAuditLog',
    summary: "The admins' audit log, newest first (admins)",
    description:
      'Every admin action: suspend, unsuspend, delete_tweet (a tweet deleted by an admin who ' +
      'is not its author), grant_admin and revoke_admin (the `admin:grant` command line, with ' +
      'no admin). Who, what, whom, why and when.',
    tags: ['admin'],
    auth: 'required',
    request: { query: AuditQuery },
    responses: { 200: { description: 'A page of audit entries', schema: AuditPage } },
    errors: ['forbidden'],
    async handle({ query, viewer }) {
      return { status: 200, body: await listAudit(viewer.id, query.cursor, query.limit) };
    },
  }),
];
