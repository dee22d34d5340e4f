import { cacheRedis } from '../infra/redis';

/**
 * Who is connected, across all API nodes: a sorted set of user ids scored by the last time a
 * node vouched for them. Each node re-vouches for its connected users every 20 s, so a user
 * counts as online for 60 s after their last socket went away or their node died. Used to
 * push celebrities' tweets to online followers without walking every follower. On the cache
 * connection: an evicted set is whole again within one re-vouching round.
 */
const KEY = 'rt:online';
export const PRESENCE_REFRESH_MS = 20_000;
const PRESENCE_WINDOW_MS = 60_000;

export async function markOnline(userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const now = Date.now();
  await cacheRedis.zadd(KEY, ...userIds.flatMap((id) => [now, id]));
}

/** Users seen online within the window, a page at a time (keyset by user id is not needed). */
export async function onlineUsers(): Promise<string[]> {
  const now = Date.now();
  await cacheRedis.zremrangebyscore(KEY, '-inf', now - PRESENCE_WINDOW_MS);
  return cacheRedis.zrangebyscore(KEY, now - PRESENCE_WINDOW_MS, '+inf');
}
