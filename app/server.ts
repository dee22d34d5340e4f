import Router from '@koa/router';
import Koa from 'koa';
import { config } from '../config';
import { queueBoard } from './admin/queueBoard';
import { authenticate } from './auth/passport';
import { cors } from './http/cors';
import { directGets } from './http/dispatch';
import type { AppState } from './http/context';
import { observeRequest } from './http/metrics';
import { problemDetails } from './http/problem';
import { requestLog } from './http/requestLog';
import { securityHeaders } from './http/securityHeaders';
import { mountRoutes, routeHandlers, type RouteHandlers } from './http/route';
import { routes } from './routes';

/** The router with every API route mounted: what the app serves and the document must cover. */
export function createRouter(
  handlers: RouteHandlers = routeHandlers(routes, authenticate),
): Router<AppState> {
  const router = new Router<AppState>();
  mountRoutes(router, handlers);
  return router;
}

/** The Koa application: middleware in the order every request meets it, then the routes. */
export function createApp(): Koa<AppState> {
  // X-Forwarded-For's right-most TRUST_PROXY entries were written by our own proxies; Koa's
  // maxIpsCount keeps only those, so the client address is never the client's own claim.
  const app = new Koa<AppState>({
    proxy: config.trustProxyHops > 0,
    maxIpsCount: config.trustProxyHops,
  });
  const handlers = routeHandlers(routes, authenticate);
  const router = createRouter(handlers);

  app.use(requestLog(observeRequest));
  // Also turns "no route matched" and "wrong method" into problems.
  app.use(problemDetails());
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        // Swagger UI styles itself with inline style attributes.
        directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
      },
    }),
  );
  app.use(
    cors({
      exposeHeaders: [
        'X-Request-Id',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
      ],
    }),
  );
  // No body parser here: a route that takes a body reads it itself (app/http/body.ts), after
  // authentication and the rate limit, so unlimited callers cannot make the API parse.
  app.use(queueBoard()); // beside the router: Bull Board brings its own routes
  // GET paths spelled as declared skip the router (the hot reads); the router serves the rest.
  app.use(directGets(handlers));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
