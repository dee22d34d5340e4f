import type { UserJson } from './schemas';

/** The columns every answer shows of a user: a model instance or a row of `profileRows`. */
export interface UserFields {
  id: string | number;
  username: string;
  displayName: string;
  bio: string;
  createdAt: Date;
  followersCount: number;
  followingCount: number;
  tweetsCount: number;
  /** The viewer's follow of them, when known (MySQL answers EXISTS as 0 or 1). */
  following?: number | boolean;
}

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
