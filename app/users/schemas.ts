import { Timestamp, Id, z } from '../http/zod';

export const Username = z
  .string()
  .regex(/^[A-Za-z0-9_]{3,15}$/, 'must be 3-15 letters, digits or underscores')
  .openapi({ example: 'ada_l' });

export const UserSchema = z
  .object({
    id: Id,
    username: Username,
    displayName: z.string(),
    bio: z.string(),
    createdAt: Timestamp,
    followersCount: z.number().int().nonnegative(),
    followingCount: z.number().int().nonnegative(),
    tweetsCount: z.number().int().nonnegative(),
    following: z.boolean().optional().openapi({ description: 'Present when signed in' }),
  })
  .openapi('User');

export type UserJson = z.infer<typeof UserSchema>;
