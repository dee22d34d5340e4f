import { defineRoute } from '../http/route';
import { z } from '../http/zod';
import { BOARD_COOKIE, BOARD_PATH, boardCookie, provenAdmin } from './access';

const SignInQuery = z.object({
  token: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .openapi({ description: 'An access token of an admin; omit it when the cookie is set.' }),
});

/** The way into the queue board: a browser cannot send a Bearer header with every asset. */
export const adminRoutes = [
  defineRoute({
    method: 'get',
    path: BOARD_PATH,
    summary: 'Sign in to the queue board (Bull Board), for admins',
    description:
      `Checks the access token given as \`?token=\` (or the board cookie), then sets an ` +
      `HttpOnly, SameSite=Strict cookie \`${BOARD_COOKIE}\` scoped to \`${BOARD_PATH}\` that ` +
      `holds the token, and redirects to the board at \`${BOARD_PATH}/\`, so the token leaves ` +
      'the address bar. The cookie expires with the token: sign in again with a new one. ' +
      'Grant the role with `npm run admin:grant -- <username>`.',
    tags: ['operations'],
    auth: 'none',
    request: { query: SignInQuery },
    responses: { 303: { description: `Signed in; on to \`${BOARD_PATH}/\`` } },
    errors: ['unauthorized', 'forbidden'],
    async handle({ query, ctx }) {
      const { token, expiresAt } = await provenAdmin(query.token ?? ctx.cookies.get(BOARD_COOKIE));
      return {
        status: 303,
        headers: {
          Location: `${BOARD_PATH}/`,
          'Set-Cookie': boardCookie(token, expiresAt, ctx.secure),
          'Cache-Control': 'no-store',
        },
      };
    },
  }),
];
