import Queue, { type JobOptions } from 'bull';
import type { Transaction } from 'sequelize';
import { config } from '../../config';
import { logger } from '../infra/logger';
import { createRedis, redis } from '../infra/redis';
import type { JobPayloads, QueueName } from './jobs';

const DEFAULT_JOB_OPTIONS: JobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: 1000,
  removeOnFail: 5000,
};

const queues = new Map<QueueName, Queue.Queue>();

/**
 * Bull wants three connections per queue: commands and pub/sub can be shared by every queue
 * of the process, the blocking one cannot. Shared ones are created lazily.
 */
let subscriber: ReturnType<typeof createRedis> | undefined;
function connectionFor(type: 'client' | 'subscriber' | 'bclient') {
  if (type === 'client') return redis;
  if (type === 'subscriber') {
    subscriber ??= createRedis({ name: 'bull-subscriber', blocking: true });
    return subscriber;
  }
  return createRedis({ name: 'bull-blocking', blocking: true });
}

/** The Bull queue of that name, typed by its payload. */
export function getQueue<N extends QueueName>(name: N): Queue.Queue<JobPayloads[N]> {
  let queue = queues.get(name);
  if (!queue) {
    queue = new Queue(name, config.redisUrl, {
      createClient: connectionFor,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    queue.on('error', (error) => logger.warn({ queue: name, err: error.message }, 'queue error'));
    queues.set(name, queue);
  }
  return queue as Queue.Queue<JobPayloads[N]>;
}

/** Adds a job now. `jobId` makes the enqueue idempotent: the same id is queued once. */
export async function enqueue<N extends QueueName>(
  name: N,
  payload: JobPayloads[N],
  options: JobOptions & { jobId: string },
): Promise<void> {
  await getQueue(name).add(payload, options);
}

/**
 * Adds a job once the transaction has committed, so a worker never sees an id whose row is
 * not there yet (or never will be, after a rollback).
 */
export function enqueueAfterCommit<N extends QueueName>(
  transaction: Transaction,
  name: N,
  payload: JobPayloads[N],
  options: JobOptions & { jobId: string },
): void {
  transaction.afterCommit(async () => {
    try {
      await enqueue(name, payload, options);
    } catch (error) {
      logger.error(
        { err: error, queue: name, jobId: options.jobId },
        'enqueue after commit failed',
      );
    }
  });
}

/** Closes every queue this process opened; waits for active jobs of its processors. */
export async function closeQueues(): Promise<void> {
  await Promise.all([...queues.values()].map((queue) => queue.close()));
  queues.clear();
}
