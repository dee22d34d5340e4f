import { expect } from 'chai';
import type { NotificationJson } from '../../app/notifications/schemas';
import type { z } from '../../app/http/zod';
import type { TimelineItem, TweetSchema } from '../../app/tweets/schemas';
import { bearer, type TestUser } from '../helpers/http';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import type { RunningProcess } from '../helpers/processes';
import { startWorker, stopWorker } from '../helpers/workers';
import { closeAllSockets } from './sockets';

export type TweetJson = z.infer<typeof TweetSchema>;
export type TimelineItemJson = z.infer<typeof TimelineItem>;

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
  for (const node of nodes) if (node.status === 'fulfilled') await node.value.stop();
  throw (failed as PromiseRejectedResult).reason;
}

/**
 * Closes the tests' sockets, lets the worker finish every queued job, stops every process.
 * The API nodes are killed: their graceful shutdown is realtime/operations.test.ts's subject,
 * and it would wait out its idle grace (a second) here for nothing.
 */
export async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  closeAllSockets();
  if (!cluster) return;
  try {
    await stopWorker(cluster.worker);
  } finally {
    await Promise.all(cluster.nodes.map((node) => node.stop()));
  }
}

export async function deleteTweet(node: ApiNode, author: TestUser, id: string): Promise<void> {
  const response = await node.client().delete(`/tweets/${id}`).set(bearer(author.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(204);
}

/** Likes or retweets through `node`. */
export async function engage(
  node: ApiNode,
  user: TestUser,
  what: 'like' | 'retweet',
  id: string,
): Promise<void> {
  const response = await node.client().post(`/tweets/${id}/${what}`).set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
}

/** The first page of `user`'s home timeline (GET /tweets) through `node`. */
export async function homeTimeline(node: ApiNode, user: TestUser): Promise<TimelineItemJson[]> {
  const response = await node.client().get('/tweets').set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as { data: TimelineItemJson[] }).data;
}

/** `user`'s newest notifications (GET /notifications) through `node`. */
export async function notifications(node: ApiNode, user: TestUser): Promise<NotificationJson[]> {
  const response = await node
    .client()
    .get('/notifications?limit=100')
    .set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as { data: NotificationJson[] }).data;
}

/** Ends the session (refresh-token family) of `session` through `node`. */
export async function logout(
  node: ApiNode,
  session: { accessToken: string; refreshToken: string },
): Promise<void> {
  const response = await node
    .client()
    .post('/auth/logout')
    .set(bearer(session.accessToken))
    .send({ refreshToken: session.refreshToken });
  expect(response.status, JSON.stringify(response.body)).to.equal(204);
}
