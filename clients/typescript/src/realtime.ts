import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from './generated/events';
import { ChirpApiError, type ChirpClient } from './http';

/** A Socket.IO client typed with Chirp's event map: `socket.on('tweet:new', ({tweet}) => …)`. */
export type ChirpSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RealtimeOptions {
  /**
   * The session ended for good: Chirp refused the refresh (logged out, password reset,
   * suspended, account deleted, past its maximum age). The client is signed out; sign in again.
   */
  onSessionEnded?: (error: Error) => void;
  /** Socket.IO options over Chirp's (WebSocket only: PM2's cluster mode has no affinity). */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

export interface Realtime {
  readonly socket: ChirpSocket;
  /** Disconnects for good: nothing is refreshed or reconnected after this. */
  close(): void;
}

/** The first wait after Chirp answered `unavailable`; each further one doubles, up to the last. */
const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 30_000;

/**
 * Connects to Chirp's realtime events with `client`'s access token, and keeps the socket
 * connected across token expiry: a handshake refused as `unauthorized`, or a socket Chirp cut
 * (its token expired, its session was revoked), refreshes the tokens through `client`
 * (POST /auth/refresh) and connects again with the new access token. A refresh Chirp refuses
 * ends it (`onSessionEnded`). Socket.IO itself reconnects after a lost connection (a node
 * restarting); events are not stored, so read what was missed over REST on every `connect`.
 */
export function connectRealtime(client: ChirpClient, options: RealtimeOptions = {}): Realtime {
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = FIRST_RETRY_MS;
  /** The access token of the last handshake, and whether it came from a refresh made for it. */
  let presented: string | undefined;
  let refreshed = false;

  const socket: ChirpSocket = io(client.baseUrl, {
    // Read again on every (re)connect, so a refreshed token is the one presented.
    auth: (send) => {
      presented = client.tokens?.accessToken;
      send({ token: presented });
    },
    transports: ['websocket'],
    ...options.socket,
  });

  const later = (ms: number, then: () => void) => {
    clearTimeout(timer);
    timer = setTimeout(() => closed || then(), ms);
  };
  const backOff = (then: () => void) => {
    later(retryMs, then);
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  };
  const ended = (error: Error) => {
    if (!closed) options.onSessionEnded?.(error);
  };

  const refreshThenConnect = () => {
    const current = client.tokens?.accessToken;
    if (current && current !== presented) {
      socket.connect(); // a REST call already refreshed: present its token
      return;
    }
    client.refresh().then(
      () => {
        refreshed = true;
        if (!closed) socket.connect();
      },
      (error: Error) => {
        const refused =
          error instanceof ChirpApiError && error.status < 500 && error.status !== 429;
        if (refused || !client.tokens) ended(error);
        else backOff(refreshThenConnect); // Chirp or the network is down: try again later
      },
    );
  };

  socket.on('connect', () => {
    refreshed = false;
    retryMs = FIRST_RETRY_MS;
  });
  socket.on('connect_error', (error: Error & { data?: { retryAfter?: number } }) => {
    // A transport failure: Socket.IO retries by itself. Chirp's refusals leave it inactive.
    if (closed || socket.active) return;
    if (error.message === 'unauthorized') {
      // Even a token fresh from a refresh was refused: the session ended meanwhile.
      if (refreshed) ended(error);
      else refreshThenConnect();
    } else if (error.message === 'rate_limited' && error.data?.retryAfter !== undefined) {
      later(error.data.retryAfter * 1000, () => socket.connect());
    } else {
      backOff(() => socket.connect()); // unavailable: MySQL or Redis is away for now
    }
  });
  socket.on('disconnect', (reason) => {
    // Chirp cuts a socket when its token expires or its session is revoked.
    if (reason === 'io server disconnect' && !closed) refreshThenConnect();
  });

  return {
    socket,
    close() {
      closed = true;
      clearTimeout(timer);
      socket.disconnect();
    },
  };
}
