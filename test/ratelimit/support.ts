import { expect } from 'chai';
import { redis } from '../../app/infra/redis';
import { type ApiNode, startApiNode } from '../helpers/apiNode';

/**
 * The contract's budgets, small enough to spend in a test. test/setup.ts raises the budgets
 * of every other process to a million; these API nodes are started with the real shape.
 */
export const SMALL_BUDGETS = {
  RATE_LIMIT_POINTS: '5',
  RATE_LIMIT_DURATION: '2',
  AUTH_RATE_LIMIT_POINTS: '10',
  AUTH_RATE_LIMIT_DURATION: '300',
};

/** The environment of a general budget of `limit` requests per `windowSeconds`. */
export const generalBudget = (limit: number, windowSeconds: number) => ({
  RATE_LIMIT_POINTS: String(limit),
  RATE_LIMIT_DURATION: String(windowSeconds),
});

export type { ApiNode };

/** An API node with SMALL_BUDGETS, overridden by `env`, reached over HTTP like any client. */
export const startSmallBudgetNode = (env: Record<string, string> = {}): Promise<ApiNode> =>
  startApiNode({ ...SMALL_BUDGETS, ...env });

export interface Answer {
  status: number;
  headers: Headers;
  type: string;
  body: Record<string, unknown> | undefined;
}

export interface Call {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One HTTP request to a node. A request that gets no answer within 10 s fails the test with a
 * message saying so, rather than leaving it to mocha's timeout.
 */
export async function send(node: ApiNode, path: string, call: Call = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token) headers.Authorization = `Bearer ${call.token}`;
  if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${node.url}${path}`, {
      method: call.method ?? 'GET',
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new Error(`${call.method ?? 'GET'} ${path} got no answer: ${String(error)}`, {
      cause: error,
    });
  }
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  const body =
    /json/.test(type) && text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  return { status: response.status, headers: response.headers, type, body };
}

/** A POST of `body`, carrying `forwardedFor` as its X-Forwarded-For header if given. */
export function postFrom(body: unknown, forwardedFor?: string): Call {
  return {
    method: 'POST',
    body,
    ...(forwardedFor === undefined ? {} : { headers: { 'X-Forwarded-For': forwardedFor } }),
  };
}

/** A refresh with a token that cannot work: it spends the address's budget and nothing else. */
export const garbageRefresh = (forwardedFor?: string): Call =>
  postFrom({ refreshToken: 'not-a-refresh-token' }, forwardedFor);

/** Sends the same call `count` times, one after the other, and returns every answer. */
export async function sendTimes(
  count: number,
  node: ApiNode,
  path: string,
  call: Call | ((index: number) => Call) = {},
): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let index = 0; index < count; index += 1) {
    answers.push(await send(node, path, typeof call === 'function' ? call(index) : call));
  }
  return answers;
}

const describeAnswer = (answer: Answer) =>
  `${answer.status} ${JSON.stringify(answer.body)} ${JSON.stringify(
    Object.fromEntries(answer.headers),
  )}`;

export const statuses = (answers: Answer[]) => answers.map((answer) => answer.status);
export const remaining = (answers: Answer[]) =>
  answers.map((answer) => answer.headers.get('ratelimit-remaining'));

/** Asserts a problem answer with that status and code. */
export function expectProblemAnswer(answer: Answer, status: number, code: string): void {
  expect(answer.status, describeAnswer(answer)).to.equal(status);
  expect(answer.type).to.match(/^application\/problem\+json/);
  expect(answer.body).to.include({ status, code });
}

/**
 * Asserts a refusal for an exhausted budget of `limit` points per `windowSeconds`: 429
 * `rate_limited`, a Retry-After of whole seconds within the window, and the RateLimit-*
 * headers saying nothing is left.
 */
export function expectRateLimited(answer: Answer, limit: number, windowSeconds: number): void {
  expectProblemAnswer(answer, 429, 'rate_limited');
  const retryAfter = answer.headers.get('retry-after') ?? '';
  expect(retryAfter, 'Retry-After').to.match(/^[1-9]\d*$/);
  expect(Number(retryAfter), 'Retry-After').to.be.at.most(windowSeconds);
  expect(answer.headers.get('ratelimit-limit'), 'RateLimit-Limit').to.equal(String(limit));
  expect(answer.headers.get('ratelimit-remaining'), 'RateLimit-Remaining').to.equal('0');
  expectResetHeader(answer, windowSeconds);
}

/** RateLimit-Reset: whole seconds until the window ends, never more than the window. */
export function expectResetHeader(answer: Answer, windowSeconds: number): void {
  const reset = answer.headers.get('ratelimit-reset') ?? '';
  expect(reset, `RateLimit-Reset on ${describeAnswer(answer)}`).to.match(/^\d+$/);
  expect(Number(reset), 'RateLimit-Reset').to.be.at.most(windowSeconds);
}

/**
 * Forgets every budget spent so far. All requests of the suite come from 127.0.0.1, so
 * anonymous budgets (and the strict per-address one, whose window is five minutes) would
 * otherwise carry over from one test to the next; registering users spends them too.
 * Only the rate-limit keys of the suite's own Redis database (TEST_REDIS_URL) are touched.
 */
export async function forgetSpentBudgets(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'rl:*', 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
