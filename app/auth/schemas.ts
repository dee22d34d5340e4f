import { z } from '../http/zod';
import { DisplayName, UserSchema, Username } from '../users/schemas';

/** Spaces typed around an address are dropped, so they cannot name a second budget. */
export const Email = z
  .string()
  .trim()
  .pipe(z.email('must be an email address').max(254))
  .openapi({ type: 'string', format: 'email', maxLength: 254, example: 'ada@example.com' });

/** A login identifier: trimmed, then compared exactly with the stored key (app/auth/service.ts). */
const Identifier = z.string().trim().min(1).max(254);

/**
 * bcrypt reads only the first 72 bytes and stops at a NUL, so longer passwords are refused,
 * not truncated, and control characters are refused (`"\0"x8` would equal the empty string).
 * Login applies the same rule: a password no account can have is not worth a bcrypt check.
 */
export const Password = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') >= 8, 'must be at least 8 bytes')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= 72, 'must be at most 72 bytes')
  .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters')
  .openapi({ example: 'correct horse battery staple', minLength: 8, maxLength: 72 });

export const RegisterBody = z
  .object({
    username: z.string().trim().pipe(Username),
    email: Email,
    password: Password,
    displayName: DisplayName.optional(),
  })
  .openapi('RegisterBody');

export const LoginBody = z
  .object({
    username: Identifier.optional(),
    email: Identifier.optional(),
    password: Password,
  })
  .refine((body) => (body.username === undefined) !== (body.email === undefined), {
    message: 'give either username or email',
    path: ['username'],
  })
  .openapi('LoginBody');

export const RefreshTokenBody = z
  .object({ refreshToken: z.string().min(1).max(200) })
  .openapi('RefreshTokenBody');

export const ForgotPasswordBody = z.object({ email: Email }).openapi('ForgotPasswordBody');

export const ResetPasswordBody = z
  .object({ token: z.string().min(1).max(200), password: Password })
  .openapi('ResetPasswordBody');

export const Session = z
  .object({
    user: UserSchema,
    accessToken: z.string().openapi({ description: 'JWT; send as `Authorization: Bearer …`' }),
    refreshToken: z
      .string()
      .openapi({ description: 'Opaque; single use, rotated by /auth/refresh' }),
  })
  .openapi('Session');
