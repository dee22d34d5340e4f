import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { logger, redactUrl, throttled } from '../infra/logger';
import type { AppState } from './context';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Lines about 4xx answers written per second at most: any client can cause those at will. */
const CLIENT_ERROR_LINES_PER_SECOND = 5;

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane), echoes it, hangs a
 * child logger on `ctx.state.log` and writes one line per finished request.
 */
export function requestLog(): Middleware<AppState> {
  const clientErrorLine = throttled(CLIENT_ERROR_LINES_PER_SECOND);
  return async (ctx, next) => {
    const offered = ctx.get('X-Request-Id');
    const requestId = ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
    Object.assign(ctx.state, {
      requestId,
      log: logger.child({ reqId: requestId }),
      viewer: null,
    } satisfies AppState);
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = ctx.status;
      const line = {
        method: ctx.method,
        url: redactUrl(ctx.originalUrl),
        status,
        ms: Math.round(ms * 10) / 10,
        userId: ctx.state.viewer?.id,
      };
      const log = ctx.state.log;
      if (status >= 500) log.error(line, 'request');
      else if (status < 400) log.debug(line, 'request');
      else clientErrorLine((dropped) => log.info(dropped ? { ...line, dropped } : line, 'request'));
    }
  };
}
