import type http from 'node:http';
import client from 'prom-client';
import { Server, type Socket } from 'socket.io';
import { isAccessTokenLive, onRevocation } from '../auth/revocation';
import { verifyAccessToken } from '../auth/verify';
import { registry } from '../http/metrics';
import { handshakeRefusal } from '../http/rateLimit';
import { logger } from '../infra/logger';
import { realtimeAdapter } from './adapter';
import { type ClientToServerEvents, type ServerToClientEvents, userRoom } from './events';
import { PRESENCE_REFRESH_MS, markOnline } from './presence';

interface SocketData {
  userId: string;
  version: number;
  familyId: string;
}

type ChirpServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type ChirpSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

const connected = new client.Gauge({
  name: 'chirp_realtime_connected_sockets',
  help: 'Sockets connected to this API node',
  registers: [registry],
});
const emitted = new client.Counter({
  name: 'chirp_realtime_events_sent_total',
  help: 'Realtime events sent to sockets of this API node, by event',
  labelNames: ['event'] as const,
  registers: [registry],
});

/**
 * Attaches Socket.IO at /socket.io to an API node's HTTP server. A socket proves itself with
 * `auth: {token}` at the handshake (refused with `unauthorized` otherwise), joins
 * `user:<id>`, and is cut the moment its token expires or is revoked. Rooms are shared with
 * every node through the Redis adapter (the sharded one when REDIS_PUBSUB_URL is a cluster:
 * adapter.ts), so an event emitted anywhere reaches it.
 */
export function attachRealtime(server: http.Server): { close(): Promise<void> } {
  const io: ChirpServer = new Server(server, {
    path: '/socket.io',
    serveClient: false,
    adapter: realtimeAdapter(),
  });

  // Before the token check: a handshake costs its address a point whatever it carries.
  io.use((socket, next) => {
    handshakeRefusal(socket.request).then(
      (retryAfter) => {
        if (retryAfter === null) return next();
        next(Object.assign(new Error('rate_limited'), { data: { retryAfter } }));
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'socket rate limit unavailable');
        next(new Error('unavailable'));
      },
    );
  });

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    verifyAccessToken(auth.token).then(
      (verified) => {
        if (!verified) return next(new Error('unauthorized'));
        socket.data = {
          userId: verified.claims.sub,
          version: verified.claims.ver,
          familyId: verified.claims.fam,
        };
        // Cut the socket when the token it proved itself with runs out.
        cutAt(socket, verified.expiresAt);
        next();
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'socket authentication failed');
        next(new Error('unavailable'));
      },
    );
  });

  io.on('connection', (socket: ChirpSocket) => {
    connected.inc();
    void socket.join(userRoom(socket.data.userId));
    socket.onAnyOutgoing((event: string) => emitted.inc({ event }));
    socket.once('disconnect', () => connected.dec());
    markOnline([socket.data.userId]).catch(() => undefined); // presence is best effort
  });

  // A revocation heard from any node: re-check this node's sockets of that user.
  onRevocation((userId) => {
    for (const socket of localSocketsOf(io, userId)) {
      const { version, familyId } = socket.data;
      isAccessTokenLive({ sub: userId, ver: version, fam: familyId }).then(
        (live) => live || socket.disconnect(true),
        () => socket.disconnect(true),
      );
    }
  });

  const presence = setInterval(() => {
    const users = new Set([...io.of('/').sockets.values()].map((socket) => socket.data.userId));
    markOnline([...users]).catch(() => undefined);
  }, PRESENCE_REFRESH_MS);
  presence.unref();

  return {
    async close() {
      clearInterval(presence);
      // This node's connections only: io.disconnectSockets() is relayed by the Redis adapter
      // to every other node (this one unsubscribes before its own request comes back), and
      // its "io server disconnect" tells clients not to reconnect. A closed transport makes
      // them reconnect, to another node. io.close() would close the HTTP server too; the
      // HTTP step owns that.
      io.engine.close();
      await io.of('/').adapter.close?.();
    },
  };
}

/** Longest delay setTimeout honours (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Disconnects a socket at `expiresAt`, re-arming the timer for delays past its maximum. */
function cutAt(socket: ChirpSocket, expiresAt: number): void {
  const delay = expiresAt - Date.now();
  const timer = setTimeout(
    () => (delay > MAX_TIMER_MS ? cutAt(socket, expiresAt) : socket.disconnect(true)),
    Math.min(Math.max(delay, 0), MAX_TIMER_MS),
  );
  socket.once('disconnect', () => clearTimeout(timer));
}

function localSocketsOf(io: ChirpServer, userId: string): ChirpSocket[] {
  const room = io.of('/').adapter.rooms.get(userRoom(userId));
  if (!room) return [];
  return [...room]
    .map((id) => io.of('/').sockets.get(id))
    .filter((s): s is ChirpSocket => s !== undefined);
}
