import pino from 'pino';
import { config } from '../../config';

/**
 * Paths whose values never reach a log line: credentials in headers and bodies, and any
 * token field wherever it sits one or two levels deep.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.*.password',
  '*.*.token',
];

/** Replaces the value of any `token`-like query parameter in a URL with `[Redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|refresh_token)=)[^&#]*/gi, '$1[Redacted]');
}

export const logger = pino({
  level: config.logLevel,
  base: { pid: process.pid },
  redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

export type Logger = typeof logger;

/** Names the process role (api, worker, cli) on every later log line. */
export function setProcessRole(role: 'api' | 'worker' | 'cli'): void {
  logger.setBindings({ role });
}
