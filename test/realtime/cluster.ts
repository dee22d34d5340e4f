import { expect } from 'chai';
import supertest from 'supertest';
import type { NotificationJson } from '../../app/notifications/schemas';
import type { z } from '../../app/http/zod';
import type { TimelineItem, TweetSchema } from '../../app/tweets/schemas';
import { bearer, type TestUser } from '../helpers/http';
import { freePort, startProcess, type RunningProcess } from '../helpers/processes';
import { type Client as HttpClient, startWorker, stopWorker } from '../timeline/support';
import { closeAllSockets } from './sockets';

export type TweetJson = z.infer<typeof TweetSchema>;
export type TimelineItemJson = z.infer<typeof TimelineItem>;

/** An API process of the test's own: Koa and Socket.IO on one port. */
export interface ApiNode {
  url: string;
  port: number;
  process: RunningProcess;
  /** A supertest agent on this node. */
  http(): HttpClient;
}

/** Starts `app/index.ts` with extra environment, on `port` or a free one. */
export async function startApiNode(
  env: Record<string, string> = {},
  port?: number,
): Promise<ApiNode> {
  const chosen = port ?? (await freePort());
  const running = await startProcess('app/index.ts', { ...env, PORT: String(chosen) });
  const url = `http://127.0.0.1:${chosen}`;
  return { url, port: chosen, process: running, http: () => supertest(url) };
}

export interface Cluster {
  nodes: ApiNode[];
  worker: RunningProcess;
}

/**
 * API nodes and one worker sharing the suite's MySQL and Redis, started together. Only one
 * worker runs at a time: another configuration's worker must not take this one's jobs.
 */
export async function startCluster(
  apiNodes: number,
  env: Record<string, string> = {},
): Promise<Cluster> {
  const [worker, ...nodes] = await Promise.allSettled([
    startWorker(env),
    ...Array.from({ length: apiNodes }, () => startApiNode(env)),
  ]);
  const failed = [worker, ...nodes].find((result) => result.status === 'rejected');
  if (worker.status === 'fulfilled' && !failed) {
    return {
      worker: worker.value,
      nodes: nodes.map((node) => (node as PromiseFulfilledResult<ApiNode>).value),
    };
  }
  // Whatever did start must not outlive the failed start.
  if (worker.status === 'fulfilled') await worker.value.stop();
  for (const node of nodes) if (node.status === 'fulfilled') await node.value.process.stop();
  throw (failed as PromiseRejectedResult).reason;
}

/** Closes the tests' sockets, lets the worker finish every queued job, stops every process. */
export async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  closeAllSockets();
  if (!cluster) return;
  try {
    await stopWorker(cluster.worker);
  } finally {
    await Promise.all(cluster.nodes.map((node) => node.process.stop()));
  }
}

/** Posts a tweet (or a reply) through `node` and answers the tweet as the API returned it. */
export async function postTweet(
  node: ApiNode,
  author: TestUser,
  content: string,
  replyToId?: string,
): Promise<TweetJson> {
  const response = await node
    .http()
    .post('/tweets')
    .set(bearer(author.accessToken))
    .send(replyToId ? { content, replyToId } : { content });
  expect(response.status, JSON.stringify(response.body)).to.equal(201);
  return response.body as TweetJson;
}

export async function deleteTweet(node: ApiNode, author: TestUser, id: string): Promise<void> {
  const response = await node.http().delete(`/tweets/${id}`).set(bearer(author.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(204);
}

/** Likes or retweets through `node`. */
export async function engage(
  node: ApiNode,
  user: TestUser,
  what: 'like' | 'retweet',
  id: string,
): Promise<void> {
  const response = await node.http().post(`/tweets/${id}/${what}`).set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
}

/** The first page of `user`'s home timeline (GET /tweets) through `node`. */
export async function homeTimeline(node: ApiNode, user: TestUser): Promise<TimelineItemJson[]> {
  const response = await node.http().get('/tweets').set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as { data: TimelineItemJson[] }).data;
}

/** `user`'s newest notifications (GET /notifications) through `node`. */
export async function notifications(node: ApiNode, user: TestUser): Promise<NotificationJson[]> {
  const response = await node.http().get('/notifications?limit=100').set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as { data: NotificationJson[] }).data;
}

/** Ends the session (refresh-token family) of `session` through `node`. */
export async function logout(
  node: ApiNode,
  session: { accessToken: string; refreshToken: string },
): Promise<void> {
  const response = await node
    .http()
    .post('/auth/logout')
    .set(bearer(session.accessToken))
    .send({ refreshToken: session.refreshToken });
  expect(response.status, JSON.stringify(response.body)).to.equal(204);
}
