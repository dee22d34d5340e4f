import type { User } from '../../models';
import type { UserJson } from './schemas';

/** A user as every answer shows one; `following` only when the viewer's relation is known. */
export function presentUser(user: User, relation?: { following: boolean }): UserJson {
  return {
    id: String(user.id),
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    createdAt: user.createdAt.toISOString(),
    followersCount: user.followersCount,
    followingCount: user.followingCount,
    tweetsCount: user.tweetsCount,
    ...(relation ? { following: relation.following } : {}),
  };
}
