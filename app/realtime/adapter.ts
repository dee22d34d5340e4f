import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { ClusterOptions } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import { config } from '../../config';
import { createRoleRedis } from '../infra/redis';
import { socketIoKey } from './events';

/**
 * The sharded adapter's subscriber on a Redis Cluster. `shardedSubscribers`: one subscriber
 * connection per master, each SSUBSCRIBEd to the channels of its slots (without it ioredis
 * sends every SSUBSCRIBE to one node, and other shards' messages are never heard:
 * redis/ioredis#1759). `slotsRefreshInterval`: after a planned failover (CLUSTER FAILOVER)
 * the demoted master drops its shard subscriptions while the connection stays up, and
 * nothing tells ioredis; polling the slot map moves them to the new master within a second
 * (measured: no push for 40 s without it, 0.8 s with it).
 */
export const SHARDED_SUBSCRIBER: Partial<ClusterOptions> = {
  shardedSubscribers: true,
  slotsRefreshInterval: 1000,
};

/** Whether REDIS_PUBSUB_URL names a cluster, where realtime runs on sharded pub/sub. */
export const isShardedPubsub = (): boolean => config.redis.pubsub.kind === 'cluster';

/**
 * The Socket.IO adapter that shares rooms between API nodes through the pub/sub role
 * (REDIS_PUBSUB_URL, else REDIS_URL). On one server: the classic Redis adapter (PUBLISH,
 * one pattern subscription per node). On a Redis Cluster: the sharded adapter (SPUBLISH;
 * a channel per room, each served by the shard of its slot), since classic pub/sub on a
 * cluster copies every message to every node of it. The worker's emitter (emitter.ts)
 * publishes in the matching format.
 */
export function realtimeAdapter(): ServerOptions['adapter'] {
  const key = socketIoKey(config.pubsubPrefix);
  const pub = createRoleRedis('pubsub', { name: 'socket.io-pub' });
  // The cluster options apply only when the role is a cluster.
  const sub = createRoleRedis('pubsub', {
    name: 'socket.io-sub',
    blocking: true,
    cluster: SHARDED_SUBSCRIBER,
  });
  return isShardedPubsub()
    ? // "dynamic" (the default, spelled out: the emitter relies on it): one channel per room.
      createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode: 'dynamic' })
    : createAdapter(pub, sub, { key });
}
