import { expect } from 'chai';
import Redis from 'ioredis';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../models';
import { uniqueHandle } from '../helpers/http';
import { startApiNode } from '../helpers/apiNode';
import { type RunningProcess, startProcess } from '../helpers/processes';
import { OwnRedis, TcpRelay } from '../helpers/services';
import { eventually } from '../helpers/poll';

/**
 * A small Chirp of the test's own: a Redis server it may stop and start, one API process and
 * one worker process on it. MySQL is the suite's test database (TEST_DATABASE_URL), shared
 * with this process, so the test can look at the outbox table directly.
 */
export interface OwnChirp {
  redis: OwnRedis;
  /** With `throughRelay`: the TCP relay the processes reach Redis through. */
  relay?: TcpRelay;
  api: RunningProcess;
  worker: RunningProcess;
  url: string;
  stop(): Promise<void>;
}

/** What the calls below need of a Chirp or of one API node: its address. */
export type Reachable = Pick<OwnChirp, 'url'>;

/**
 * Starts it. `throughRelay` puts a TCP relay between the processes and Redis: closing it
 * cuts Redis off while it keeps its data, as a network partition would.
 */
export async function startOwnChirp({
  throughRelay = false,
  env: extraEnv = {},
}: { throughRelay?: boolean; env?: Record<string, string> } = {}): Promise<OwnChirp> {
  const redis = await OwnRedis.create();
  await redis.start();
  const relay = throughRelay
    ? await TcpRelay.create({ host: '127.0.0.1', port: redis.port })
    : undefined;
  await relay?.open();
  // Warnings are what an operator sees of an outage: the test counts them.
  const env = {
    REDIS_URL: relay ? `redis://127.0.0.1:${relay.port}/0` : redis.url,
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const started = await Promise.allSettled([
    startApiNode(env),
    startProcess('workers/index.ts', env),
  ]);
  const node = started[0].status === 'fulfilled' ? started[0].value : null;
  const worker = started[1].status === 'fulfilled' ? started[1].value : null;
  if (!node || !worker) {
    // A half-started Chirp must not outlive the test: a leaked worker would go on relaying the
    // shared test database's outbox into its own Redis, under later tests' feet.
    await Promise.all([node?.stop(), worker?.stop('SIGKILL')]);
    await relay?.close();
    await redis.stop();
    const failure = started.find((result) => result.status === 'rejected');
    throw failure?.reason instanceof Error ? failure.reason : new Error('Chirp did not start');
  }
  return {
    redis,
    relay,
    api: node.process,
    worker,
    url: node.url,
    async stop() {
      await Promise.all([node.stop(), worker.stop('SIGKILL')]);
      await relay?.close();
      await redis.stop();
    },
  };
}

/** A direct connection to the test's own Redis (to look at Bull's keys, or misconfigure it). */
export function ownRedisClient(redis: OwnRedis): Redis {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined); // the test stops this server on purpose
  return client;
}

/** Waits until Bull has finished the job of that id (its hash has `finishedOn`); answers it. */
export async function finishedJob(
  redis: Redis,
  queue: string,
  jobId: string,
): Promise<Record<string, string>> {
  return eventually(
    () => redis.hgetall(`bull:${queue}:${jobId}`),
    (job) => /^\d+$/.test(job.finishedOn ?? ''),
    `job ${jobId} of queue ${queue} finished in Bull`,
  );
}

/** The longest any single request may take: with Redis away, nothing may hang. */
export const REQUEST_DEADLINE_MS = 5000;

export interface Answer {
  status: number;
  // Untyped JSON on purpose: the assertions are what check it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One HTTP request to the API; fails the test when no answer comes within the deadline. */
export async function call(
  chirp: Reachable,
  method: string,
  path: string,
  { token, body }: { token?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${chirp.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    });
  } catch (error) {
    throw new Error(`${method} ${path} got no answer within ${REQUEST_DEADLINE_MS} ms`, {
      cause: error,
    });
  }
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Calls the API and asserts the status, saying what came back otherwise. */
export async function expectCall(
  chirp: Reachable,
  status: number,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer> {
  const answer = await call(chirp, method, path, options);
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).to.equal(status);
  return answer;
}

export interface Member {
  id: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a fresh user through the API. */
export async function signUp(chirp: Reachable): Promise<Member> {
  const handle = uniqueHandle('r');
  const password = 'correct horse battery';
  const { body } = await expectCall(chirp, 201, 'POST', '/auth/register', {
    body: { ...handle, password },
  });
  return {
    id: body.user.id,
    username: handle.username,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
  };
}

/** Signs an existing user in again: a second session with its own tokens. */
export async function signIn(chirp: Reachable, member: Member): Promise<Member> {
  const { body } = await expectCall(chirp, 200, 'POST', '/auth/login', {
    body: { username: member.username, password: member.password },
  });
  return { ...member, accessToken: body.accessToken, refreshToken: body.refreshToken };
}

export interface TimelineEntry {
  id: string;
  content?: string;
  likesCount?: number;
}

/** The first page of a member's home timeline. */
export async function homeTimeline(chirp: Reachable, member: Member): Promise<TimelineEntry[]> {
  const { body } = await expectCall(chirp, 200, 'GET', '/tweets?limit=100', {
    token: member.accessToken,
  });
  return body.data as TimelineEntry[];
}

export interface NotificationEntry {
  id: string;
  type: string;
  actor: { id: string };
  tweet?: { id: string };
}

/** A member's notifications, newest first. */
export async function notifications(
  chirp: Reachable,
  member: Member,
): Promise<NotificationEntry[]> {
  const { body } = await expectCall(chirp, 200, 'GET', '/notifications?limit=100', {
    token: member.accessToken,
  });
  return body.data as NotificationEntry[];
}

/** Asks /readyz until it answers `status`. */
export async function waitForReadiness(chirp: Reachable, status: number): Promise<Answer> {
  return eventually(
    () => call(chirp, 'GET', '/readyz'),
    (answer) => answer.status === status,
    `GET /readyz answering ${status}`,
  );
}

/** Rows in the outbox for these job ids (all rows when none are given). */
export async function outboxRows(jobIds?: string[]): Promise<number> {
  const [row] = await sequelize.query<{ count: number }>(
    jobIds
      ? 'SELECT COUNT(*) AS count FROM outbox WHERE job_id IN (:jobIds)'
      : 'SELECT COUNT(*) AS count FROM outbox',
    { replacements: { jobIds }, type: QueryTypes.SELECT },
  );
  return Number(row.count);
}

/** Waits until the outbox table is empty: every job recorded was handed to Bull. */
export async function waitForEmptyOutbox(timeoutMs = 15_000): Promise<void> {
  await eventually(
    () => outboxRows(),
    (count) => count === 0,
    'an empty outbox',
    timeoutMs,
  );
}

export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * Marks the end of a process's output so far; the returned function answers the JSON log
 * lines written after the mark (warnings and worse: the processes run with LOG_LEVEL=warn).
 */
export function logCursor(running: RunningProcess): () => LogLine[] {
  const mark = running.output().length;
  return () =>
    running
      .output()
      .slice(mark)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
}

export { eventually };
