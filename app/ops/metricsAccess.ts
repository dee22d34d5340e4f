import { createHash, timingSafeEqual } from 'node:crypto';
import { config } from '../../config';
import { forbidden, unauthorized } from '../http/errors';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Lets a scrape of /metrics through only with `Authorization: Bearer <METRICS_TOKEN>`: the
 * metrics tell auth outcomes, queue depths and versions. Unset, /metrics is off. Digests of
 * equal length are compared in constant time, so the answer time tells nothing of the token.
 */
export function requireMetricsToken(authorization: string, token = config.metricsToken): void {
  if (token === null) {
    throw forbidden('Metrics are off: set METRICS_TOKEN and scrape with it as a Bearer token.');
  }
  const sent = /^bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? '';
  if (!timingSafeEqual(digest(sent), digest(token))) {
    throw unauthorized('Scrape with `Authorization: Bearer <METRICS_TOKEN>`.');
  }
}
