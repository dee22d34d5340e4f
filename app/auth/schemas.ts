import { z } from '../http/zod';
import { DisplayName, UserSchema, Username } from '../users/schemas';

export const Email = z
  .email('must be an email address')
  .max(254)
  .openapi({ example: 'ada@example.com' });

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
    username: Username,
    email: Email,
    password: Password,
    displayName: DisplayName.optional(),
  })
  .openapi('RegisterBody');

export const LoginBody = z
  .object({
    username: z.string().max(254).optional(),
    email: z.string().max(254).optional(),
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
