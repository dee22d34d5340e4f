import { Emitter } from '@socket.io/redis-emitter';
import { config } from '../../config';
import { redis } from '../infra/redis';
import { type ServerToClientEvents, socketIoKey, userRoom } from './events';

let emitter: Emitter<ServerToClientEvents> | undefined;

/** Rooms per publish: one Redis message reaches every node, which delivers to its sockets. */
const ROOMS_PER_MESSAGE = 1000;

/**
 * Emits an event to users' sockets on every API node, from any process (workers publish
 * through Redis; API nodes' adapters deliver). Users without sockets cost nothing.
 */
export async function emitToUsers<E extends keyof ServerToClientEvents>(
  userIds: string[],
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
): Promise<void> {
  emitter ??= new Emitter<ServerToClientEvents>(redis, { key: socketIoKey(config.pubsubPrefix) });
  for (let i = 0; i < userIds.length; i += ROOMS_PER_MESSAGE) {
    const rooms = userIds.slice(i, i + ROOMS_PER_MESSAGE).map(userRoom);
    emitter.to(rooms).emit(event, ...args);
  }
  // The emitter publishes without waiting; a PING queued behind it resolves once they left.
  await redis.ping();
}
