import { z } from '../http/zod';
import { UserSchema, Username } from '../users/schemas';

export const Email = z
  .email('must be an email address')
  .max(254)
  .openapi({ example: 'ada@example.com' });

/** bcrypt reads only the first 72 bytes, so longer passwords are refused, not truncated. */
export const Password = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') >= 8, 'must be at least 8 bytes')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= 72, 'must be at most 72 bytes')
  .openapi({ example: 'correct horse battery staple', minLength: 8, maxLength: 72 });

export const RegisterBody = z
  .object({
    username: Username,
    email: Email,
    password: Password,
    displayName: z.string().trim().min(1).max(50).optional(),
  })
  .openapi('RegisterBody');

export const LoginBody = z
  .object({
    username: z.string().max(254).optional(),
    email: z.string().max(254).optional(),
    password: z.string().max(1024),
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
