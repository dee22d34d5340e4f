import { chargeRefusals, clientAddress } from '../http/rateLimit';
import { defineRoute } from '../http/route';
import {
  ForgotPasswordBody,
  LoginBody,
  RefreshTokenBody,
  RegisterBody,
  ResetPasswordBody,
  Session,
} from './schemas';
import * as auth from './service';

const tags = ['auth'];
/** Answers carrying tokens must not be kept by a browser or a shared cache. */
const noStore = { 'Cache-Control': 'no-store' };

export const authRoutes = [
  defineRoute({
    method: 'post',
    path: '/auth/register',
    operationId: 'register',
    summary: 'Create an account and sign in',
    tags,
    auth: 'none',
    request: { body: RegisterBody },
    responses: { 201: { description: 'The new account and its first session', schema: Session } },
    errors: ['username_taken', 'email_taken'],
    authLimit: true,
    async handle({ body, ctx }) {
      return {
        status: 201,
        body: await auth.register(body, clientAddress(ctx.req)),
        headers: noStore,
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/login',
    operationId: 'logIn',
    summary: 'Sign in with a username or an email, and a password',
    tags,
    auth: 'none',
    request: { body: LoginBody },
    responses: { 200: { description: 'A new session', schema: Session } },
    errors: ['invalid_credentials', 'suspended'],
    authLimit: true,
    async handle({ body, ctx }) {
      return {
        status: 200,
        body: await auth.login(body, clientAddress(ctx.req)),
        headers: noStore,
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/refresh',
    operationId: 'refreshSession',
    summary: 'Exchange a refresh token for a new pair',
    description:
      'Refresh tokens are single use. Presenting one that was already exchanged revokes every ' +
      'token of its session (its family).',
    tags,
    auth: 'none',
    request: { body: RefreshTokenBody },
    responses: { 200: { description: 'A new access and refresh token', schema: Session } },
    errors: ['unauthorized', 'suspended'],
    async handle({ body, ctx }) {
      const session = await chargeRefusals(ctx, () => auth.refresh(body.refreshToken));
      return { status: 200, body: session, headers: noStore };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/logout',
    operationId: 'logOut',
    summary: 'End the session a refresh token belongs to',
    tags,
    auth: 'required',
    request: { body: RefreshTokenBody },
    responses: { 204: { description: 'Signed out (also when already signed out)' } },
    async handle({ body, viewer }) {
      await auth.logout(viewer.id, body.refreshToken);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/forgot-password',
    operationId: 'requestPasswordReset',
    summary: 'Mail a password-reset link',
    description:
      'Answers 202 whether or not the address is registered. The link lives one hour. Mail is ' +
      'best effort (its job lives in Redis once queued): if none arrives within a few minutes, ' +
      'ask again; every request mails a new link, and using any one of them spends them all.',
    tags,
    auth: 'none',
    request: { body: ForgotPasswordBody },
    responses: { 202: { description: 'If the address is registered, a link is on its way' } },
    authLimit: true,
    async handle({ body, ctx }) {
      await auth.forgotPassword(body.email, clientAddress(ctx.req));
      return { status: 202 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/reset-password',
    operationId: 'resetPassword',
    summary: 'Set a new password with a reset token',
    description:
      'Signs out every session: all access and refresh tokens issued before are revoked.',
    tags,
    auth: 'none',
    request: { body: ResetPasswordBody },
    responses: { 204: { description: 'Password changed' } },
    errors: ['invalid_token'],
    async handle({ body, ctx }) {
      await chargeRefusals(ctx, () => auth.resetPassword(body.token, body.password));
      return { status: 204 };
    },
  }),
];
