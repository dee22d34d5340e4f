import type { UserFields } from '../records/users';
import type { UserJson } from './schemas';

/** A user as every answer shows one; `following` only when the viewer's relation is known. */
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
    ...(user.following === undefined ? {} : { following: Boolean(Number(user.following)) }),
  };
}
