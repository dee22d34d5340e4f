import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import helmet, { type HelmetOptions } from 'helmet';
import type { AppState } from './context';

/**
 * Helmet's security headers. Their values do not depend on the request, so helmet runs once
 * at start-up against a recording response and each request gets the recorded headers in
 * one step, instead of a dozen middleware calls per request on the hot path.
 */
export function securityHeaders(options: HelmetOptions): Middleware<AppState> {
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
  // Set on Node's response directly: Koa's ctx.set walks delegates and response.set per
  // header, which the home timeline's profile showed among its top items for a dozen fixed ones.
  const entries = Object.entries(headers);
  return async (ctx, next) => {
    for (const [name, value] of entries) ctx.res.setHeader(name, value);
    await next();
  };
}
