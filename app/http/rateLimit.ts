import type { IncomingMessage } from 'node:http';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { config } from '../../config';
import { AppError } from './errors';
import { cacheRedis } from '../infra/redis';
import type { AppContext } from './context';

/**
 * Rate limits on Redis (rate-limiter-flexible), so every API node counts against the same
 * budget. When Redis is away each node falls back to an in-memory limiter of the same size
 * (its insurance), so limits degrade to per-node instead of failing requests.
 */
const enabled = config.rateLimit.points > 0;

/**
 * On the cache connection (a counter evicted under memory pressure restarts its window): its
 * auto-pipelining sends a request's limit check and its other cache work in one write. While
 * that connection is not ready the check goes straight to the insurance limiter
 * (`rejectIfRedisNotReady`) instead of waiting in the offline queue; the API waits for the
 * connection before it serves, so a node's first requests count in Redis.
 */
function limiter(keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  return new RateLimiterRedis({
    storeClient: cacheRedis,
    rejectIfRedisNotReady: true,
    keyPrefix,
    points,
    duration,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}:mem`, points, duration }),
  });
}

/*
 * Both limiters are made when this module loads, before the cache connection serves: each
 * defines its Lua script on that connection, and a script defined while an auto-pipeline is
 * waiting is missing from it (the first limited request of a busy node crashed it;
 * test/resilience/firstTraffic.test.ts).
 */
/** The budget every request spends, per user when signed in, per IP otherwise. */
const general = limiter('rl:api', config.rateLimit.points, config.rateLimit.durationSeconds);
/** The stricter budget of login, register and forgot-password: per IP and per account. */
const authentication = limiter(
  'rl:auth',
  config.rateLimit.authPoints,
  config.rateLimit.authDurationSeconds,
);

function setHeaders(ctx: AppContext, points: number, result: RateLimiterRes): void {
  const remaining = Math.max(result.remainingPoints, 0);
  // Auth routes spend several budgets (the general one, the address's, the account's): the
  // headers tell of the one closest to refusing, not merely of the last one spent.
  // Node's headers directly: Koa's get and set walk its delegates per header (hot path).
  const told = ctx.res.getHeader('RateLimit-Remaining');
  if (told !== undefined && Number(told) < remaining) return;
  ctx.res.setHeader('RateLimit-Limit', String(points));
  ctx.res.setHeader('RateLimit-Remaining', String(remaining));
  ctx.res.setHeader('RateLimit-Reset', String(Math.ceil(result.msBeforeNext / 1000)));
}

const retryAfterSeconds = (result: RateLimiterRes) =>
  Math.max(Math.ceil(result.msBeforeNext / 1000), 1);

/** The 429 for a spent budget, carrying that budget's Retry-After and RateLimit-* headers. */
function tooMany(store: RateLimiterAbstract, result: RateLimiterRes, what: string): AppError {
  const retryAfter = String(retryAfterSeconds(result));
  return new AppError(
    'rate_limited',
    `Too many ${what}; try again in ${retryAfter} s.`,
    undefined,
    {
      'Retry-After': retryAfter,
      'RateLimit-Limit': String(store.points),
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(Math.ceil(result.msBeforeNext / 1000)),
    },
  );
}

/** Spends a point of `key`'s budget, or throws the 429 that says which budget refused. */
async function consume(
  store: RateLimiterAbstract,
  key: string,
  what: string,
): Promise<RateLimiterRes> {
  try {
    return await store.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw tooMany(store, rejection, what);
  }
}

async function spend(
  ctx: AppContext,
  store: RateLimiterAbstract,
  key: string,
  what: string,
): Promise<void> {
  setHeaders(ctx, store.points, await consume(store, key, what));
}

/** Whose general budget a request spends: the signed-in user's, else the client IP's. */
const requestKey = (ctx: AppContext) =>
  ctx.state.viewer ? `u:${ctx.state.viewer.id}` : `ip:${clientAddress(ctx.req)}`;

/**
 * Spends one point of the caller's budget: the signed-in user's, else the client IP's (which
 * honours X-Forwarded-For only with TRUST_PROXY). Throws 429 `rate_limited` when it is spent.
 */
export async function limitRequest(ctx: AppContext): Promise<void> {
  if (!enabled) return;
  await spend(ctx, general, requestKey(ctx), 'requests');
}

/**
 * The caller's general budget as a Redis counter, for a script on the cache connection that
 * spends it in the round trip of its own work (SPEND_POINT in app/cache/scripts.ts counts as
 * rate-limiter-flexible's script does, on the same key). Null when limits are off, or when
 * the cache connection is not ready: the limiter then counts in memory (its insurance).
 */
export interface RateCounter {
  key: string;
  points: number;
  seconds: number;
}

export function requestCounter(ctx: AppContext): RateCounter | null {
  if (!enabled || cacheRedis.status !== 'ready') return null;
  return {
    key: general.getKey(requestKey(ctx)),
    points: general.points,
    seconds: general.duration,
  };
}

/**
 * What a script's spend of `requestCounter` found: `consumed` points so far in a window with
 * `msLeft` to run. Sets the RateLimit-* headers, or throws the 429 when the budget is spent.
 */
export function settleRequest(ctx: AppContext, consumed: number, msLeft: number): void {
  const result = new RateLimiterRes(
    Math.max(general.points - consumed, 0),
    msLeft,
    consumed,
    consumed === 1,
  );
  if (consumed > general.points) throw tooMany(general, result, 'requests');
  setHeaders(ctx, general.points, result);
}

/** Spends a point of the strict budget of the client's address (login, register, forgot). */
export async function limitAuthAttempt(ctx: AppContext): Promise<void> {
  if (!enabled) return;
  await spend(ctx, authentication, `ip:${clientAddress(ctx.req)}`, 'attempts from this address');
}

/** Answers that refuse a presented secret: each spends the address's strict budget. */
const REFUSALS = new Set<string>(['unauthorized', 'invalid_token']);

/**
 * Refresh and reset spend the address's strict budget only when they refuse the token: a valid
 * token proves possession, and charging every refresh would lock out all the users behind one
 * NAT. Once the budget is spent, refusals answer 429.
 */
export async function chargeRefusals<T>(ctx: AppContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && REFUSALS.has(error.code)) await limitAuthAttempt(ctx);
    throw error;
  }
}

/** What one account may spend across all addresses: ten times what one address may. */
const perAccount = limiter(
  'rl:acct',
  config.rateLimit.authPoints * 10,
  config.rateLimit.authDurationSeconds,
);

/**
 * Spends the budgets of the account an attempt reached, named once the lookup found it
 * (`login:user:42`, whatever identifier was typed): a strict one per account and address, so a
 * stranger's guesses cannot lock the owner out, and a looser one across every address against
 * guessing from many. Throws 429 `rate_limited`.
 */
export async function limitAccountAttempt(address: string, account: string): Promise<void> {
  if (!enabled) return;
  const what = 'attempts for this account';
  await consume(authentication, `acct:${account}:ip:${address}`, `${what} from here`);
  await consume(perAccount, `acct:${account}`, what);
}

/**
 * The client's address: of X-Forwarded-For, only the right-most TRUST_PROXY entries were
 * written by our own proxies, and the left-most of those is the client; without TRUST_PROXY,
 * the socket's peer. Every limit (HTTP, auth budgets, Socket.IO handshakes) reads this one
 * function, never Koa's `ctx.ip`.
 */
export function clientAddress(req: IncomingMessage): string {
  const hops = config.trustProxyHops;
  const header = hops > 0 ? req.headers['x-forwarded-for'] : undefined;
  // Node joins repeated X-Forwarded-For headers into one; the type allows a list anyway.
  const forwarded = Array.isArray(header) ? header.join(',') : header;
  const trusted = forwarded ? forwarded.split(',').slice(-hops) : [];
  return trusted[0]?.trim() || req.socket.remoteAddress || '';
}

/** Socket.IO handshakes: the general budget's size, per address, counted on their own. */
const handshakes = limiter('rl:ws', config.rateLimit.points, config.rateLimit.durationSeconds);

/**
 * Spends a handshake point of the client's address: null when it may connect, else the
 * seconds until it may try again.
 */
export async function handshakeRefusal(req: IncomingMessage): Promise<number | null> {
  if (!enabled) return null;
  try {
    await handshakes.consume(`ip:${clientAddress(req)}`);
    return null;
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return retryAfterSeconds(rejection);
  }
}
