import { USER_VIEWER_FLAG_NAMES, type UserFields } from '../records/users';
import type { UserJson } from './schemas';

/** The viewer's flags (`following`, `blocking`, `muting`) that are known for a user. */
const viewerFlagsOf = (user: UserFields): Partial<Record<string, boolean>> =>
  Object.fromEntries(
    USER_VIEWER_FLAG_NAMES.filter((name) => user[name] !== undefined).map((name) => [
      name,
      Boolean(Number(user[name])),
    ]),
  );

/** A user as every answer shows one; the viewer's flags only when their relations are known. */
export function presentUser(user: UserFields): UserJson {
  return {
    id: String(user.id),
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    createdAt: user.createdAt.toISOString(),
    followersCount: Number(user.followersCount),
    followingCount: Number(user.followingCount),
    tweetsCount: Number(user.tweetsCount),
    ...viewerFlagsOf(user),
  };
}
