import http, { type RequestListener, type Server } from 'node:http';
import net, { type Socket } from 'node:net';
import { AppError } from './errors';
import { problemJson } from './problem';

/** How long a closing connection is read (and what arrives dropped) before it is cut. */
const LINGER_MS = 2000;
/** Once draining, a keep-alive connection that sent nothing for this long is closed by us. */
const IDLE_GRACE_MS = 1000;
const SWEEP_MS = 100;

interface Connection {
  inFlight: number;
  idleSince: number;
  closing: boolean;
}

/**
 * Closes a connection after its last answer without a reset: our side is shut (FIN) and the
 * socket is read until the client hangs up (or LINGER_MS), as nginx's lingering close does.
 * Closing it outright would make the kernel answer a request the client wrote meanwhile
 * with a reset, which can also destroy the answer before it in the client's buffer.
 */
function lingeringClose(socket: Socket, connection: Connection): void {
  if (connection.closing) return;
  connection.closing = true;
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Answers a request Node could not parse, as its own default does (then closes), but as a
 * problem: 431 for a head over the size limit (a long query string too), 400 otherwise.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const inResponse = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inResponse?.headersSent) {
    socket.destroy();
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    return;
  }
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('request_header_too_large', 'The request head is over 16 KB.')
      : new AppError('malformed_request', 'The request is not valid HTTP/1.1.');
  const body = JSON.stringify(problemJson(problem));
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/**
 * An HTTP server that stops without failing a request on a keep-alive connection, as a
 * rolling reload needs (`pm2 reload`: the old process drains while its replacement serves).
 * `drain()` stops accepting connections, answers every further request with
 * `Connection: close` (the client then opens its next connection to another process) and
 * closes each connection after that answer, and any connection quiet for IDLE_GRACE_MS,
 * with a lingering close; it resolves once every connection is gone.
 */
export function drainableServer(handler: RequestListener): {
  server: Server;
  drain: () => Promise<void>;
} {
  const connections = new Map<Socket, Connection>();
  let draining = false;

  const server = http.createServer((req, res) => {
    const connection = connections.get(req.socket);
    if (connection?.closing) {
      // Sent after our `Connection: close` answer, which RFC 9112 (9.6) forbids: the client
      // has not read that answer yet, and is about to see the close and reconnect.
      req.resume();
      return;
    }
    if (connection) {
      connection.inFlight += 1;
      res.once('close', () => {
        connection.inFlight -= 1;
        connection.idleSince = Date.now();
      });
    }
    if (draining) res.setHeader('Connection', 'close');
    handler(req, res);
  });

  server.on('clientError', answerClientError);

  server.on('connection', (socket: Socket) => {
    const connection: Connection = { inFlight: 0, idleSince: Date.now(), closing: false };
    connections.set(socket, connection);
    socket.once('close', () => connections.delete(socket));
    // Node closes a connection with destroySoon() after a `Connection: close` answer.
    const destroySoon = socket.destroySoon.bind(socket);
    socket.destroySoon = () => (draining ? lingeringClose(socket, connection) : destroySoon());
  });

  async function drain(): Promise<void> {
    draining = true;
    const sweep = setInterval(() => {
      const quietSince = Date.now() - IDLE_GRACE_MS;
      for (const [socket, connection] of connections) {
        if (connection.inFlight === 0 && connection.idleSince < quietSince) {
          lingeringClose(socket, connection);
        }
      }
    }, SWEEP_MS);
    try {
      // net's close, not http's: http's also cuts every idle keep-alive connection at once,
      // racing the requests clients are writing on them.
      await new Promise<void>((resolve) =>
        net.Server.prototype.close.call(server, () => resolve()),
      );
    } finally {
      clearInterval(sweep);
    }
  }

  return { server, drain };
}
