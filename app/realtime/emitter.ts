import { Emitter } from '@socket.io/redis-emitter';
import { Cluster } from 'ioredis';
import { config } from '../../config';
import { COMMAND_CONNECTION, createRoleRedis, redis, type RedisConnection } from '../infra/redis';
import { type ServerToClientEvents, socketIoKey, userRoom } from './events';
import { ShardedEmitter } from './shardedEmitter';

let emitter: Emitter<ServerToClientEvents> | undefined;
let sharded: ShardedEmitter | undefined;
let connection: RedisConnection | undefined;

/** The pub/sub role's connection (REDIS_PUBSUB_URL), the main one when it has none of its own. */
const pubsub = (): RedisConnection =>
  (connection ??=
    config.redis.pubsub === config.redis.main
      ? redis
      : createRoleRedis('pubsub', {
          name: 'socket.io-emitter',
          ...COMMAND_CONNECTION,
          // On a cluster: a push to many users is one SPUBLISH each, batched per node.
          enableAutoPipelining: true,
        }));

/**
 * The emitter publishes without awaiting: a publish that fails (Redis away) would be an
 * unhandled rejection, which stops the process. It is dropped here; the PING that follows
 * the publishes fails the same way and reports it to the caller.
 */
const publisher = {
  publish: (channel: string, message: string | Buffer) =>
    pubsub()
      .publish(channel, message)
      .catch(() => 0),
};

/** Rooms per publish: one Redis message reaches every node, which delivers to its sockets. */
const ROOMS_PER_MESSAGE = 1000;

/**
 * Emits an event to users' sockets on every API node, from any process (workers publish
 * through Redis; API nodes' adapters deliver). Users without sockets cost nothing. On a
 * Redis Cluster the sharded adapter's protocol is spoken instead (shardedEmitter.ts), and a
 * failed publish rejects here as well.
 */
export async function emitToUsers<E extends keyof ServerToClientEvents>(
  userIds: string[],
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
): Promise<void> {
  const client = pubsub();
  if (client instanceof Cluster) {
    sharded ??= new ShardedEmitter(client, socketIoKey(config.pubsubPrefix));
    await sharded.emit(userIds.map(userRoom), event, ...args);
    return;
  }
  emitter ??= new Emitter<ServerToClientEvents>(publisher, {
    key: socketIoKey(config.pubsubPrefix),
  });
  for (let i = 0; i < userIds.length; i += ROOMS_PER_MESSAGE) {
    const rooms = userIds.slice(i, i + ROOMS_PER_MESSAGE).map(userRoom);
    emitter.to(rooms).emit(event, ...args);
  }
  // The emitter publishes without waiting; a PING queued behind it resolves once they left.
  await client.ping();
}
