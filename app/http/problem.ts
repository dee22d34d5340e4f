import type { Middleware, ParameterizedContext } from 'koa';
import { AppError } from './errors';
import { databaseUnavailable } from '../infra/db';
import { warnThrottled } from '../infra/timing';
import type { AppState } from './context';

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

/** Maps HTTP errors raised by Koa and its middleware (`ctx.throw`) onto Chirp's vocabulary. */
function fromHttpError(error: HttpLikeError): AppError | null {
  const status = error.status ?? error.statusCode;
  if (!status || status >= 500) return null;
  if (status === 413) return new AppError('payload_too_large', 'The request body is over 1 MB.');
  if (status === 415) {
    return new AppError('unsupported_media_type', 'Send the body as application/json.');
  }
  if (
    status === 400 &&
    (error.type === 'entity.parse.failed' || /JSON|parse/i.test(error.message ?? ''))
  ) {
    return new AppError('malformed_json', 'The request body is not valid JSON.');
  }
  if (status === 404) return new AppError('not_found', 'No such resource.');
  if (status === 401) return new AppError('unauthorized');
  return null;
}

/** Seconds a client waits before trying again, by what databaseUnavailable() said. */
const RETRY_AFTER_SECONDS = { busy: 2, away: 5 } as const;

/**
 * A database that is busy (a lock held past LOCK_WAIT_SECONDS, no pooled connection free)
 * or away answers 503 with Retry-After, not 500: nothing is wrong with the request, and
 * nothing was written (the transaction rolled back).
 */
function fromDatabaseError(error: unknown): AppError | null {
  const reason = databaseUnavailable(error);
  if (!reason) return null;
  return new AppError(
    'unavailable',
    reason === 'busy'
      ? 'The database is busy; nothing was changed. Try again shortly.'
      : 'The database cannot be reached; nothing was changed. Try again shortly.',
    undefined,
    { 'Retry-After': String(RETRY_AFTER_SECONDS[reason]) },
  );
}

/** An AppError as the RFC 9457 problem details object Chirp answers with. */
export function problemJson(problem: AppError): Record<string, unknown> {
  return {
    type: `urn:chirp:problem:${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail ?? problem.title,
    code: problem.code,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

/** "No route matched" (404) and "wrong method" (405/501, with Allow) as problems. */
function unmatched(ctx: ParameterizedContext<AppState>): AppError | null {
  if (ctx.body != null) return null;
  if (ctx.status === 405 || ctx.status === 501) {
    return new AppError('method_not_allowed', `This path answers ${ctx.response.get('Allow')}.`);
  }
  if (ctx.status === 404) return new AppError('not_found', 'No such route.');
  return null;
}

/**
 * Renders every error as RFC 9457 problem details, and so a request no route answered. An error
 * the client should not see the inside of becomes a generic 500, logged once in full with the
 * request id.
 */
export function problemDetails(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      const problem = unmatched(ctx);
      if (problem) throw problem;
    } catch (caught) {
      let problem = caught instanceof AppError ? caught : fromHttpError(caught as HttpLikeError);
      if (!problem) {
        problem = fromDatabaseError(caught);
        // One line a minute, not one per request, while MariaDB is busy or away.
        if (problem) warnThrottled('database-unavailable', { err: caught }, 'database unavailable');
      }
      if (!problem) {
        ctx.state.log.error({ err: caught }, 'unhandled error');
        problem = new AppError(
          'internal_error',
          `Something went wrong on our side. Quote request id ${ctx.state.requestId} when reporting it.`,
        );
      }
      ctx.status = problem.status;
      ctx.set(problem.headers);
      ctx.type = 'application/problem+json';
      ctx.body = problemJson(problem);
    }
  };
}
