import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { type ClusterMessage, MessageType } from 'socket.io-adapter';
import type { ServerToClientEvents } from './events';

/**
 * Emits to rooms through the sharded adapter's channels (Redis 7 sharded pub/sub), for a
 * pub/sub role that is a Redis Cluster. @socket.io/redis-emitter (5.1.0, the latest) only
 * PUBLISHes in the classic adapter's format, which the sharded adapter never hears
 * (socketio/socket.io-redis-emitter#127), so the worker speaks the sharded adapter's own
 * protocol: a ClusterMessage of type BROADCAST, JSON, SPUBLISHed on the channel the adapter
 * would use (`<prefix>#/#<room>#` for one room; ClusterAdapter.onMessage accepts any sender
 * uid other than the node's own, and names this one "emitter" itself).
 *
 * One message per room, on the room's own channel: each channel hashes to its own slot, so
 * pushes spread over every shard, and a message reaches only the API nodes holding a socket
 * of that user (the adapter's "dynamic" subscription mode subscribes a node to a room's
 * channel while the room exists there). The namespace channel, which every node hears, lives
 * on one shard: batching many rooms there would put every push on that one shard.
 */
export class ShardedEmitter {
  constructor(
    private readonly client: Cluster,
    private readonly channelPrefix: string,
    private readonly namespace = '/',
  ) {}

  /** Publishes `event` to each room; resolves once Redis took every message. */
  async emit<E extends keyof ServerToClientEvents>(
    rooms: string[],
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): Promise<void> {
    if (rooms.length === 0) return;
    const [head, tail] = this.frame([event, ...args]);
    await Promise.all(
      rooms.map((room) =>
        this.client.spublish(
          roomChannel(this.channelPrefix, room, this.namespace),
          `${head}${JSON.stringify(room)}${tail}`,
        ),
      ),
    );
  }

  /**
   * The message's JSON around its room: the payload (a tweet, a notification) is serialised
   * once per emit, not once per room. The room's place is a random token no payload holds.
   */
  private frame(data: unknown[]): [string, string] {
    const message: ClusterMessage = {
      uid: 'emitter',
      nsp: this.namespace,
      type: MessageType.BROADCAST,
      data: {
        opts: { rooms: [ROOM_SLOT], except: [], flags: {} },
        // socket.io-parser's PacketType.EVENT
        packet: { type: 2, data, nsp: this.namespace },
      },
    };
    const parts = JSON.stringify(message).split(JSON.stringify(ROOM_SLOT));
    if (parts.length !== 2) throw new Error('the room token occurs in the payload');
    return [parts[0], parts[1]];
  }
}

const ROOM_SLOT = `room:${randomUUID()}`;

/** The sharded adapter's channel of `room` (its computeChannel in "dynamic" mode). */
export const roomChannel = (channelPrefix: string, room: string, namespace = '/'): string =>
  `${channelPrefix}#${namespace}#${room}#`;
