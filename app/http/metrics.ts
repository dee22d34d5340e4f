import type { ParameterizedContext } from 'koa';
import client from 'prom-client';
import type { AppState } from './context';

/** This process's Prometheus registry; other modules add their own metrics to it. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const requests = new client.Counter({
  name: 'chirp_http_requests_total',
  help: 'HTTP requests answered, by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

const duration = new client.Histogram({
  name: 'chirp_http_request_duration_seconds',
  help: 'HTTP request latency, by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

/**
 * Counts and times a finished request under its route pattern (never the raw URL); called by
 * the request log, which times every request already, rather than by a middleware of its own.
 */
export function observeRequest(ctx: ParameterizedContext<AppState>, seconds: number): void {
  const labels = {
    method: ctx.method,
    // `_matchedRoute` is set by @koa/router (and app/http/dispatch.ts); unmatched paths share
    // one label.
    route: String((ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched'),
    status: String(ctx.status),
  };
  requests.inc(labels);
  duration.observe(labels, seconds);
}
