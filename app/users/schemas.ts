import { Timestamp, Id, z } from '../http/zod';
import { USER_VIEWER_FLAG_NAMES, type UserViewerFlag } from '../records/users';

export const Username = z
  .string()
  .regex(/^[A-Za-z0-9_]{3,15}$/, 'must be 3-15 letters, digits or underscores')
  .openapi({ example: 'ada_l' });

/**
 * Characters that make a name read as something else: bidi controls (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069) reorder what follows; zero-width ones (U+200B-U+200D,
 * U+2060, U+FEFF) make two names that look alike differ; control characters break lines.
 */
const MISLEADING = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u200B-\u200D\u2060\uFEFF]/u;

/** 1-50 characters (code points) once trimmed, none of them misleading. */
export const DisplayName = z
  .string()
  .max(400, 'must be at most 50 characters')
  .refine(
    (value) => !MISLEADING.test(value),
    'must not contain control, bidi or zero-width characters',
  )
  .transform((value) => value.trim())
  .refine((value) => value.length > 0, 'must not be empty')
  .refine((value) => [...value].length <= 50, 'must be at most 50 characters')
  .openapi({ type: 'string', minLength: 1, maxLength: 50, example: 'Ada Lovelace' });

/** 0-160 characters (code points) once trimmed, none of them misleading but line breaks. */
export const Bio = z
  .string()
  .max(1280, 'must be at most 160 characters')
  .refine(
    (value) => !MISLEADING.test(value.replace(/\r?\n/g, ' ')),
    'must not contain control, bidi or zero-width characters other than line breaks',
  )
  .transform((value) => value.trim())
  .refine((value) => [...value].length <= 160, 'must be at most 160 characters')
  .openapi({ type: 'string', maxLength: 160, example: 'Analyst of engines.' });

/** `PATCH /users/me`: one field or both; any other field is refused. */
export const UpdateProfileBody = z
  .strictObject({ displayName: DisplayName.optional(), bio: Bio.optional() })
  .refine((body) => body.displayName !== undefined || body.bio !== undefined, {
    message: 'give displayName, bio or both',
    path: ['displayName'],
  })
  .openapi('UpdateProfileBody');

/** `:username` in a path. */
export const UsernameParams = z.object({ username: Username });

/** What each of the viewer's flags on a user says (present when signed in). */
const VIEWER_FLAG_DESCRIPTIONS: Record<UserViewerFlag, string> = {
  following: 'Whether you follow them. Present when signed in',
  blocking: 'Whether you block them. Present when signed in',
  muting: 'Whether you mute them. Present when signed in',
};

const viewerFlagFields = Object.fromEntries(
  USER_VIEWER_FLAG_NAMES.map((name) => [
    name,
    z.boolean().optional().openapi({ description: VIEWER_FLAG_DESCRIPTIONS[name] }),
  ]),
) as Record<UserViewerFlag, z.ZodOptional<z.ZodBoolean>>;

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
    ...viewerFlagFields,
  })
  .openapi('User');

export type UserJson = z.infer<typeof UserSchema>;
