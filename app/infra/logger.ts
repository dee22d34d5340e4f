import pino, { type LoggerOptions } from 'pino';
import { config } from '../../config';

/**
 * Paths whose values never reach a log line: credentials in headers and bodies, any token
 * field wherever it sits one or two levels deep, and any request body at all (a second fence
 * behind the rule that no code logs one, and behind `serializeError`).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'body',
  'rawBody',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.body',
  '*.rawBody',
  '*.*.password',
  '*.*.token',
  '*.*.body',
];

/** Replaces the value of any `token`-like query parameter in a URL with `[Redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|refresh_token)=)[^&#]*/gi, '$1[Redacted]');
}

/**
 * Error properties that may hold what a client sent or a query's values (a body parser's
 * `body`, a driver's `parameters` and `sql` with values inlined): an error is logged without
 * them, its causes too. Message and stack stay.
 */
const CLIENT_DATA_KEYS = new Set([
  'body',
  'rawBody',
  'payload',
  'parameters',
  'sql',
  'headers',
  'request',
  'req',
  'response',
  'res',
]);

function withoutClientData(value: unknown, depth: number): unknown {
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!CLIENT_DATA_KEYS.has(key)) copy[key] = withoutClientData(item, depth + 1);
  }
  return copy;
}

/** pino's error serializer, minus anything a client sent (see CLIENT_DATA_KEYS). */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return withoutClientData(error, 0);
  return withoutClientData(pino.stdSerializers.err(error), 0);
}

/** The options of every Chirp logger (exported for the tests that check what they hide). */
export const LOGGER_OPTIONS = {
  redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
  serializers: { err: serializeError },
} satisfies LoggerOptions;

export const logger = pino({
  ...LOGGER_OPTIONS,
  level: config.logLevel,
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

export type Logger = typeof logger;

/** Names the process role (api, worker, cli) on every later log line. */
export function setProcessRole(role: 'api' | 'worker' | 'cli'): void {
  logger.setBindings({ role });
}

/**
 * A gate for lines a client can cause at will (its 4xx answers): at most `perSecond` of them
 * pass each second in this process, so a flood of bad requests cannot flood the log or its
 * disk. The first line let through after some were dropped is told how many.
 */
export function throttled(perSecond: number): (write: (dropped: number) => void) => void {
  let second = 0;
  let written = 0;
  let dropped = 0;
  return (write) => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      second = now;
      written = 0;
    }
    if (written >= perSecond) {
      dropped += 1;
      return;
    }
    written += 1;
    write(dropped);
    dropped = 0;
  };
}
