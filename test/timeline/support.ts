import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { FANOUT_AT_COMMIT_MAX_FOLLOWERS } from '../../app/delivery/fanout';
import { sequelize } from '../../app/infra/db';
import { insertFollows, insertUsers } from '../bench/world';
import { outboxRows } from '../resilience/support';
import { redis } from '../../app/infra/redis';
import type { QueueName } from '../../app/queue/jobs';
import { getQueue } from '../../app/queue/queues';
import { keys } from '../../app/cache/keys';
import { api, bearer, type TestUser } from '../helpers/http';
import { eventually } from '../helpers/poll';
import { type ApiNode, type Client, startApiNode } from '../helpers/apiNode';
import type { RunningProcess } from '../helpers/processes';
import { startWorker, stopWorker } from '../helpers/workers';

export { startWorker, stopWorker, useWorker, waitForQueuesIdle } from '../helpers/workers';

/** A timeline item as the API answers it (a tweet or a retweet entry). */
export interface Item {
  id: string;
  type?: 'retweet';
  content?: string;
  replyToId?: string | null;
  liked?: boolean;
  retweeted?: boolean;
  tweet?: Item;
  [field: string]: unknown;
}

export interface Page {
  data: Item[];
  nextCursor: string | null;
}

/** One page of the caller's home timeline (GET /tweets). */
export async function readPage(
  user: TestUser,
  { limit, cursor, client = api() }: { limit?: number; cursor?: string; client?: Client } = {},
): Promise<Page> {
  const query: Record<string, string> = {};
  if (limit !== undefined) query.limit = String(limit);
  if (cursor !== undefined) query.cursor = cursor;
  const response = await client.get('/tweets').query(query).set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return response.body as Page;
}

/** Every page of a home timeline, following nextCursor until it is null. */
export async function readAllPages(
  user: TestUser,
  { limit = 20, client = api() }: { limit?: number; client?: Client } = {},
): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const page = await readPage(user, { limit, cursor, client });
    pages.push(page);
    if (pages.length > 1000) throw new Error('the timeline never ends');
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

/** The entry ids of a whole home timeline, in the order the API gives them. */
export async function timelineIds(
  user: TestUser,
  options: { limit?: number; client?: Client } = {},
): Promise<string[]> {
  const pages = await readAllPages(user, options);
  return pages.flatMap((page) => page.data.map((item) => item.id));
}

/** Ids sorted newest first (ids grow with time), as a home timeline lists them. */
export const newestFirst = (ids: string[]) =>
  [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));

/** Whether the user's stored home timeline (the Redis sorted set) holds the entry. */
export async function storedTimelineHas(userId: string, entryId: string): Promise<boolean> {
  return (await redis.zscore(keys.home(userId), entryId)) !== null;
}

/** Waits until the queue has finished the job of that id (a real worker must be running). */
export async function waitForJob(queue: QueueName, jobId: string, timeoutMs = 15_000) {
  const job = await eventually(
    async () => {
      const job = await getQueue(queue).getJob(jobId);
      if (!job || !(await job.isCompleted())) return null;
      // Read again: the copy read before it completed holds no return value yet.
      return getQueue(queue).getJob(jobId);
    },
    Boolean,
    `job ${jobId} of queue ${queue} completed`,
    timeoutMs,
  );
  return job!;
}

/**
 * Waits until a new entry has been delivered, whoever delivered it: an API node at commit (its
 * author has few followers, decision 19: no job, and the outbox row gone) or a worker (the
 * `fanout` job completed; the in-process API of `api()` always queues the job).
 */
export async function waitForDelivery(entryId: string, timeoutMs = 15_000): Promise<void> {
  const jobId = `fanout:${entryId}`;
  await eventually(
    async () => {
      const job = await getQueue('fanout').getJob(jobId);
      if (job) return job.isCompleted();
      return (await outboxRows([jobId])) === 0;
    },
    Boolean,
    `entry ${entryId} delivered`,
    timeoutMs,
  );
}

/**
 * Gives the user followers enough (throwaway accounts, written straight to MySQL) that their
 * new entries are delivered by a worker's `fanout` job, not by the API node at commit
 * (FANOUT_AT_COMMIT_MAX_FOLLOWERS, decision 19): for tests of the job's path on API nodes.
 */
export async function deliveredByWorkers(userId: string): Promise<void> {
  // Usernames are 15 characters at most: 'f', 10 random, the index (up to three digits).
  const prefix = `f${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const crowd = await insertUsers(sequelize, prefix, FANOUT_AT_COMMIT_MAX_FOLLOWERS + 1);
  await insertFollows(sequelize, crowd, userId);
}

/**
 * An API node and a worker of the test's own for the enclosing `describe`, both with `env`:
 * started before its tests; after them the worker stops once the queues are idle, then the
 * node. Answers a client of the node.
 */
export function useApiNodeAndWorker(env: Record<string, string>): () => Client {
  let node: ApiNode | undefined;
  let worker: RunningProcess | undefined;
  before(async function () {
    node = await startApiNode(env);
    worker = await startWorker(env);
  });
  after(async function () {
    await stopWorker(worker);
    await node?.stop();
  });
  return () => node!.client();
}
