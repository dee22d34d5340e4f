import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  ClientToServerEvents,
  RealtimeEvent,
  ServerToClientEvents,
} from '../../app/realtime/events';

/** A Socket.IO client typed with Chirp's event map, as an app would hold it. */
export type ChirpSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type Payload<E extends RealtimeEvent> = Parameters<ServerToClientEvents[E]>[0];

/** How long a test waits for something the server must send (a deadline, not a measurement). */
export const DELIVERY_DEADLINE_MS = 10_000;

const open = new Set<ChirpSocket>();

/**
 * A client socket and everything the server sent it, in arrival order. Listeners are in place
 * before the handshake, so nothing sent right after `connect` is missed.
 */
export class Client {
  readonly received: { event: RealtimeEvent; payload: unknown }[] = [];
  readonly disconnects: string[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(readonly socket: ChirpSocket) {
    socket.onAny((event: RealtimeEvent, payload: unknown) => {
      this.received.push({ event, payload });
      this.wake();
    });
    socket.on('disconnect', (reason) => {
      this.disconnects.push(reason);
      this.wake();
    });
    socket.on('connect', () => this.wake());
  }

  /** Every payload of `event` received so far, oldest first. */
  payloads<E extends RealtimeEvent>(event: E): Payload<E>[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as Payload<E>);
  }

  /** The first payload of `event` (already received or still to come) that `match` accepts. */
  async next<E extends RealtimeEvent>(
    event: E,
    match: (payload: Payload<E>) => boolean = () => true,
    timeoutMs = DELIVERY_DEADLINE_MS,
  ): Promise<Payload<E>> {
    return this.until(`${event} on socket ${this.socket.id ?? '(not connected)'}`, timeoutMs, () =>
      this.payloads(event).find(match),
    );
  }

  /** Resolves with the reason of the socket's next disconnect (or one already seen). */
  async disconnected(timeoutMs = DELIVERY_DEADLINE_MS): Promise<string> {
    const seen = this.disconnects.length;
    if (!this.socket.connected && seen > 0) return this.disconnects[seen - 1];
    return this.until('a disconnect', timeoutMs, () => this.disconnects[seen]);
  }

  /** Resolves once the socket is connected (again), e.g. after reconnecting by itself. */
  async connected(timeoutMs = DELIVERY_DEADLINE_MS): Promise<void> {
    await this.until('a connection', timeoutMs, () => this.socket.connected || undefined);
  }

  /** Connects again (after a disconnect), keeping what was received so far. */
  async reconnect(): Promise<void> {
    await handshake(this.socket.connect());
  }

  close(): void {
    this.socket.disconnect();
    open.delete(this.socket);
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private async until<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    const found = check();
    if (found !== undefined) return found;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${what}: nothing within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = () => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(value);
      };
      this.waiters.add(waiter);
    });
  }
}

export type SocketSettings = Partial<ManagerOptions & SocketOptions>;

/**
 * Opens a socket the way the app's clients do (WebSocket transport, `auth: {token}`). No
 * automatic reconnection unless `settings` asks for it: a test reconnects explicitly, and a
 * refused token is not retried. `token: undefined` sends no token at all.
 */
function openSocket(url: string, token: unknown, settings: SocketSettings = {}): ChirpSocket {
  const socket: ChirpSocket = io(url, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: DELIVERY_DEADLINE_MS,
    ...settings,
  });
  open.add(socket);
  return socket;
}

/** Resolves once the socket is connected; rejects with the `connect_error` it got instead. */
function handshake(socket: ChirpSocket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      socket.off('connect', connected);
      socket.off('connect_error', refused);
    };
    const connected = () => {
      done();
      resolve();
    };
    const refused = (error: Error) => {
      done();
      reject(error);
    };
    socket.on('connect', connected);
    socket.on('connect_error', refused);
  });
}

/** A connected client of the API node at `url`, signed in with `token`. */
export async function connect(
  url: string,
  token: string,
  settings: SocketSettings = {},
): Promise<Client> {
  const socket = openSocket(url, token, settings);
  const client = new Client(socket);
  await handshake(socket);
  return client;
}

/** The `connect_error` message a handshake with `token` gets; fails if it connects. */
export async function refusal(url: string, token: unknown): Promise<string> {
  const socket = openSocket(url, token);
  try {
    await handshake(socket);
  } catch (error) {
    return (error as Error).message;
  } finally {
    socket.disconnect();
    open.delete(socket);
  }
  throw new Error('the handshake was accepted');
}

/** Disconnects every socket the tests opened and did not close. */
export function closeAllSockets(): void {
  for (const socket of open) socket.disconnect();
  open.clear();
}
