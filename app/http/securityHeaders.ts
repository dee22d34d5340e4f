import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import helmet, { type HelmetOptions } from 'helmet';
import type { AppState } from './context';

/**
 * What every answer that is not an HTML document carries (JSON, problems, metrics, files): a
 * policy that allows nothing and no framing, as OWASP's REST cheat sheet asks of an API. Helmet's
 * set is written for pages: a policy that allows the page's own scripts and styles, and headers
 * that only a browsing context reads (COOP, Origin-Agent-Cluster, DNS prefetch, IE's download
 * and XSS switches). Sent with every timeline read, it was about 900 bytes of each answer
 * that every client parses; these are about 250 (decision 0021).
 */
const API_HEADERS: [string, string][] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Frame-Options', 'DENY'],
  ['X-Content-Type-Options', 'nosniff'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

/** Helmet's headers for `options`, recorded once: they do not depend on the request. */
function recordHelmet(options: HelmetOptions): [string, string][] {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | string[]) => {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name];
    },
    getHeader: (name: string) => headers[name],
  };
  helmet(options)(
    { headers: {} } as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error instanceof Error ? error : new Error('helmet failed');
    },
  );
  return Object.entries(headers);
}

const isDocument = (type: unknown) => typeof type === 'string' && type.startsWith('text/html');

/**
 * Security headers: the API's strict set on every answer, and helmet's page set (`options`)
 * in its place on an HTML document (the API docs, the admin sign-in page, the queue board).
 * Both are fixed, so each is set on Node's response directly: Koa's ctx.set walks delegates
 * and response.set per header, which the home timeline's profile showed among its top items.
 */
export function securityHeaders(options: HelmetOptions): Middleware<AppState> {
  const documentHeaders = recordHelmet(options);
  return async (ctx, next) => {
    for (const [name, value] of API_HEADERS) ctx.res.setHeader(name, value);
    await next();
    // A page's own type is set by its handler; a problem thrown instead is JSON, and keeps
    // the API's set (this line is not reached).
    if (isDocument(ctx.res.getHeader('Content-Type'))) {
      for (const [name, value] of documentHeaders) ctx.res.setHeader(name, value);
    }
  };
}
