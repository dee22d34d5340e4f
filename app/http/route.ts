import type Router from '@koa/router';
import type { z } from 'zod';
import { config } from '../../config';
import { AppError, type ErrorCode, type FieldError } from './errors';
import { readJsonBody } from './body';
import type { AppContext, AppState, Viewer } from './context';
import {
  type RateCounter,
  limitAuthAttempt,
  limitRequest,
  requestCounter,
  settleRequest,
} from './rateLimit';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** `required`: 401 without a valid token; `optional`: a token is used when present. */
export type AuthMode = 'required' | 'optional' | 'none';

type AnySchema = z.ZodType;
type Out<S> = S extends AnySchema ? z.output<S> : undefined;

export interface RouteInput<B, Q, P, A extends AuthMode> {
  body: Out<B>;
  query: Out<Q>;
  params: Out<P>;
  viewer: A extends 'required' ? Viewer : Viewer | null;
  ctx: AppContext;
  /**
   * Resolves once the caller's rate limit allows this request (throws 429 otherwise). Only a
   * `readAhead` route runs before that verdict, and awaits this before any costly work.
   */
  allowed: () => Promise<void>;
  /** A `readAhead` route's way to spend the caller's budget in its own script (ScriptBudget). */
  budget: ScriptBudget;
}

/**
 * The caller's general rate-limit budget, for a `readAhead` route whose warm path is one Redis
 * script: `take()`, called before its first round trip, answers the counter for the script to
 * spend along with its own work (null: the budget is spent through the limiter instead, or
 * limits are off), and `spent()` is told what the script found (it sets the RateLimit-*
 * headers, or throws the 429). Taken but never told (the script failed), the request spends
 * through the limiter after all.
 */
export interface ScriptBudget {
  take(): RateCounter | null;
  spent(consumed: number, msLeft: number): void;
}

const NO_BUDGET: ScriptBudget = {
  take: () => null,
  spent: () => undefined,
};

/** What a handler answers; `body` is sent as JSON unless `raw` is set. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** JSON already serialised (hot paths assemble it from cached pieces), as text or UTF-8. */
  json?: string | Buffer;
  /** Sent as is, with its content type (HTML, text, static files). */
  raw?: { type: string; body: string | Buffer | NodeJS.ReadableStream };
}

export interface ResponseSpec {
  description: string;
  /** JSON body schema; omit for an empty answer. */
  schema?: AnySchema;
  /** Non-JSON content type(s), documented with a string body (any bytes for `image/*`). */
  contentType?: string | string[];
}

export interface RouteSpec<
  B extends AnySchema | undefined,
  Q extends AnySchema | undefined,
  P extends AnySchema | undefined,
  A extends AuthMode,
> {
  method: HttpMethod;
  /** Koa-style path: `/users/:id`. */
  path: string;
  /**
   * The operation's name in the OpenAPI document, and so the method name of generated clients
   * (`listHomeTimeline`, `createTweet`): stable once published, unique across the API.
   */
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: A;
  request?: { body?: B; query?: Q; params?: P };
  responses: Record<number, ResponseSpec>;
  /** Problem codes this route answers with, documented in the OpenAPI document. */
  errors?: ErrorCode[];
  /** Health, readiness and metrics: exempt from rate limits. */
  operational?: boolean;
  /**
   * A read whose warm path is a Redis read: it starts alongside the rate-limit check, so the
   * two round trips overlap, and its handler awaits `allowed()` before any MySQL work (an
   * over-budget request must cost no more than its refusal). Never with a request body.
   */
  readAhead?: boolean;
  /**
   * Login, register, forgot-password: also spend the strict per-address budget of
   * AUTH_RATE_LIMIT_POINTS first (their services spend the account's once they found it).
   */
  authLimit?: boolean;
  handle(input: RouteInput<B, Q, P, A>): Promise<Reply> | Reply;
}

/** A route with its types erased, as the router and the OpenAPI builder see it. */
export type Route = RouteSpec<
  AnySchema | undefined,
  AnySchema | undefined,
  AnySchema | undefined,
  AuthMode
>;

/** Declares a route: one object gives the router its handler and the document its entry. */
export function defineRoute<
  B extends AnySchema | undefined = undefined,
  Q extends AnySchema | undefined = undefined,
  P extends AnySchema | undefined = undefined,
  A extends AuthMode = AuthMode,
>(spec: RouteSpec<B, Q, P, A>): Route {
  return spec;
}

function fieldErrors(where: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Distinct query strings whose parse a route keeps (first pages, mostly). */
const QUERY_CACHE_SIZE = 1000;

/**
 * The route's query schema applied to the raw query string. The same string always parses to
 * the same value (decoding a cursor is pure), so a route keeps the values of the strings it
 * saw last: a client reading `?limit=20` again costs neither the parse of the string nor the
 * schema's (profiled at about 2 % of a warm home page). Refusals are not kept.
 */
function queryParser(route: Route): (ctx: AppContext) => z.ZodSafeParseResult<unknown> | null {
  const schema = route.request?.query;
  if (!schema) return () => null;
  const parsed = new Map<string, z.ZodSafeParseResult<unknown>>();
  return (ctx) => {
    const text = ctx.querystring;
    const known = parsed.get(text);
    if (known) return known;
    const result = schema.safeParse(ctx.query);
    if (result.success) {
      if (parsed.size >= QUERY_CACHE_SIZE) parsed.clear();
      // Frozen: every request shares the value, so no handler may change it.
      if (typeof result.data === 'object' && result.data !== null) Object.freeze(result.data);
      parsed.set(text, result);
    }
    return result;
  };
}

/** The route's path params, checked: a path that cannot name anything is a 404. */
function parseParams(route: Route, ctx: AppContext): void {
  const paramsSchema = route.request?.params;
  if (!paramsSchema) return;
  const params = paramsSchema.safeParse(ctx.params);
  // A path that cannot name anything (e.g. /tweets/abc) names nothing: 404, not 400.
  if (!params.success) throw new AppError('not_found', 'No such resource.');
  ctx.params = params.data as Record<string, string>;
}

/** A route's input from its query and (already read) body, or a 400 naming each field. */
function parseInput(
  route: Route,
  ctx: AppContext,
  parseQuery: (ctx: AppContext) => z.ZodSafeParseResult<unknown> | null,
  raw: unknown,
) {
  const bodySchema = route.request?.body;
  const errors: FieldError[] = [];
  let body: unknown;
  let query: unknown;
  if (bodySchema) {
    const parsed = bodySchema.safeParse(raw);
    if (parsed.success) body = parsed.data;
    else errors.push(...fieldErrors('body', parsed.error));
  }
  const parsedQuery = parseQuery(ctx);
  if (parsedQuery) {
    if (parsedQuery.success) query = parsedQuery.data;
    else errors.push(...fieldErrors('query', parsedQuery.error));
  }
  if (errors.length > 0) {
    throw new AppError('validation_failed', 'The request has invalid fields.', errors);
  }
  return { body, query, params: ctx.params as unknown };
}

/**
 * Outside production, every JSON answer is checked against its documented schema, so the
 * OpenAPI document cannot drift from what the API really sends (the test suite relies on it).
 */
function checkReply(route: Route, reply: Reply): void {
  const schema = route.responses[reply.status]?.schema;
  if (!route.responses[reply.status]) {
    throw new Error(`${route.method} ${route.path} answered undocumented status ${reply.status}`);
  }
  if (schema && !reply.raw) {
    const result = schema.safeParse(
      reply.json === undefined ? reply.body : JSON.parse(String(reply.json)),
    );
    if (!result.success) {
      throw new Error(
        `${route.method} ${route.path} answered a body its schema refuses: ${result.error.message}`,
      );
    }
  }
}

const alreadyAllowed = () => Promise.resolve();

/**
 * Runs a route's work once the caller's rate limit allows it. A `readAhead` route runs
 * alongside the check instead, so its Redis round trip overlaps the check's (or its script
 * spends the budget itself: ScriptBudget); its answer is dropped for a 429 if the budget was
 * spent, and its costly paths await `allowed` first.
 */
async function withinBudget(
  route: Route,
  ctx: AppContext,
  work: (allowed: () => Promise<void>, budget: ScriptBudget) => Promise<Reply>,
): Promise<Reply> {
  if (route.operational) return work(alreadyAllowed, NO_BUDGET);
  if (!route.readAhead) {
    await limitRequest(ctx);
    return work(alreadyAllowed, NO_BUDGET);
  }
  let verdict: Promise<void> | undefined;
  let taken = false;
  let settled = false;
  const allowed = () => {
    if (settled) return alreadyAllowed(); // the script spent the point, and was allowed
    verdict ??= limitRequest(ctx);
    verdict.catch(() => undefined); // awaited below; this only marks it handled meanwhile
    return verdict;
  };
  const budget: ScriptBudget = {
    take() {
      if (taken || verdict) return null;
      const counter = requestCounter(ctx);
      taken = counter !== null;
      return counter;
    },
    spent(consumed, msLeft) {
      settled = true;
      settleRequest(ctx, consumed, msLeft);
    },
  };
  // The work runs up to its first round trip before this returns; unless its script took
  // the budget, the limiter's check leaves in the same write.
  const working = work(allowed, budget);
  if (!taken) void allowed();
  let reply: Reply | undefined;
  let failure: unknown;
  try {
    reply = await working;
  } catch (error) {
    failure = error;
  }
  // A spent budget answers 429, whatever the work did.
  if (!settled) await allowed();
  if (reply === undefined) throw failure;
  return reply;
}

export type Authenticate = (ctx: AppContext, mode: AuthMode) => Promise<void>;

/** Sets the reply on the response, through Node's headers where Koa's setters would only walk. */
function send(context: AppContext, reply: Reply): void {
  context.status = reply.status;
  if (reply.headers) context.set(reply.headers);
  if (reply.json !== undefined) {
    // Koa's body setter keeps a Content-Type already set.
    context.res.setHeader('Content-Type', 'application/json; charset=utf-8');
    context.body = reply.json;
  } else if (reply.raw) {
    context.type = reply.raw.type;
    context.body = reply.raw.body;
  } else if (reply.body !== undefined) {
    context.body = reply.body;
  } else if (reply.status !== 204) {
    // An empty answer rather than Koa's status text ("Accepted") as text/plain.
    context.body = '';
    context.remove('Content-Type');
  }
}

/** A route's whole request handling: authentication, rate limit, input, handler, reply. */
function routeHandler(route: Route, authenticate: Authenticate) {
  const parseQuery = queryParser(route);
  return async (context: AppContext): Promise<void> => {
    if (route.auth !== 'none') {
      try {
        await authenticate(context, route.auth);
      } catch (error) {
        // Failed attempts spend the address's budget too: guessing tokens is not free.
        if (!route.operational) await limitRequest(context);
        throw error;
      }
    }
    const reply = await withinBudget(route, context, async (allowed, budget) => {
      parseParams(route, context);
      // Read only here, after authentication, the rate limit and the path's check, and only
      // by routes that take a body: a body sent anywhere else is never read.
      const raw = route.request?.body ? await readJsonBody(context) : undefined;
      const input = parseInput(route, context, parseQuery, raw);
      if (route.authLimit) await limitAuthAttempt(context);
      return route.handle({
        ...input,
        viewer: context.state.viewer,
        ctx: context,
        allowed,
        budget,
      });
    });
    if (!config.isProduction) checkReply(route, reply);
    send(context, reply);
  };
}

/** Each route's request handling, made once: the router and the direct GETs share it. */
export type RouteHandlers = Map<Route, (context: AppContext) => Promise<void>>;

export function routeHandlers(routes: Route[], authenticate: Authenticate): RouteHandlers {
  return new Map(routes.map((route) => [route, routeHandler(route, authenticate)]));
}

/** Mounts routes on a Koa router, validating input and authenticating before each handler. */
export function mountRoutes(router: Router<AppState>, handlers: RouteHandlers): void {
  for (const [route, handle] of handlers) {
    router[route.method](route.path, (ctx) => handle(ctx as unknown as AppContext));
  }
}
