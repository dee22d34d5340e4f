import { randomUUID } from 'node:crypto';
import type { Middleware, ParameterizedContext } from 'koa';
import { type Logger, logger, redactUrl, throttled } from '../infra/logger';
import type { AppState, Viewer } from './context';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Lines about 4xx answers written per second at most: any client can cause those at will. */
const CLIENT_ERROR_LINES_PER_SECOND = 5;

/**
 * A request's state. Its child logger is made on first use: pino builds a child's bindings
 * through the redaction and serializers at creation, and a warm 2xx read at `info` never logs
 * (profiled: about 2 % of the API's CPU on the home timeline went to children never used).
 */
class RequestState implements AppState {
  viewer: Viewer | null = null;
  private child: Logger | undefined;

  constructor(readonly requestId: string) {}

  get log(): Logger {
    this.child ??= logger.child({ reqId: this.requestId });
    return this.child;
  }

  set log(log: Logger) {
    this.child = log;
  }

  /** Whether a debug line would be written, without making the child to ask. */
  debugEnabled(): boolean {
    return (this.child ?? logger).isLevelEnabled('debug');
  }
}

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane), echoes it, hangs a
 * child logger on `ctx.state.log` and writes one line per finished request.
 */
export function requestLog(
  finished?: (ctx: ParameterizedContext<AppState>, seconds: number) => void,
): Middleware<AppState> {
  const clientErrorLine = throttled(CLIENT_ERROR_LINES_PER_SECOND);
  return async (ctx, next) => {
    // Node joins a repeated X-Request-Id into one string; its type allows a list anyway.
    const offered = ctx.req.headers['x-request-id'];
    const requestId =
      typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
    const state = new RequestState(requestId);
    ctx.state = state;
    ctx.res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const status = ctx.status;
      const nanoseconds = Number(process.hrtime.bigint() - started);
      finished?.(ctx, nanoseconds / 1e9);
      // A 2xx or 3xx line is written at debug: at info it is not even put together.
      if (status >= 400 || state.debugEnabled()) {
        const ms = nanoseconds / 1e6;
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
        else
          clientErrorLine((dropped) => log.info(dropped ? { ...line, dropped } : line, 'request'));
      }
    }
  };
}
