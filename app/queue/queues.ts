import Queue, { type JobOptions } from 'bull';
import type { Transaction } from 'sequelize';
import { config } from '../../config';
import { COMMAND_CONNECTION, createRedis, isRedisReady } from '../infra/redis';
import { flushSentOutbox, outboxRowSent, writeOutbox } from './outbox';
import { warnThrottled, withTimeout } from '../infra/timing';
import type { FactsOf, JobPayloads, QueueName } from './jobs';

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
 *
 * Bull's commands get a connection of their own, not the auto-pipelined main one: Bull
 * defines its Lua scripts on its connection when the first queue opens, and an ioredis
 * auto-pipeline made before that (one waits behind every pipeline in flight) has no such
 * command, so the first job of a node under load broke the pipeline and crashed the process
 * (test/resilience/firstTraffic.test.ts).
 */
let commands: ReturnType<typeof createRedis> | undefined;
let subscriber: ReturnType<typeof createRedis> | undefined;
function connectionFor(type: 'client' | 'subscriber' | 'bclient') {
  if (type === 'client') {
    commands ??= createRedis({ name: 'bull', ...COMMAND_CONNECTION });
    return commands;
  }
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
    // Bull reports every failed reconnect of its connections: one line a minute, as for those.
    queue.on('error', (error) =>
      warnThrottled('queue-error', { queue: name, err: error.message }, 'queue error'),
    );
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

const IMMEDIATE_ENQUEUE_TIMEOUT_MS = 1000;

/** The job options every enqueue of a queue uses, but for its id. */
export type EnqueueOptions = JobOptions & { jobId: string };

/** What at-commit work answers for a job it leaves to the workers (it is queued instead). */
export const FOR_WORKERS = Symbol('for the workers');

/**
 * Work a process does itself, right after the commit, for jobs of a queue (runJobsAtCommit);
 * it may answer FOR_WORKERS for a job too big to do here.
 */
type AtCommit<N extends QueueName> = (
  payload: JobPayloads[N],
  known?: FactsOf<N>,
) => Promise<unknown>;
const atCommit = new Map<QueueName, AtCommit<QueueName>>();

/**
 * Has this process do the work of `name`'s jobs itself once their transaction commits, with
 * `run` (what the queue's processor does), instead of handing them to Bull: for short work
 * whose cost would be mostly the job's own (a notification push: a Bull add, Bull's scripts
 * in the worker, its SQL read again there); `run` answers FOR_WORKERS to hand a job to Bull
 * after all. The outbox still holds each job until `run` succeeded; when it fails (Redis away
 * or silent) the row stays and the relay queues the job for a worker. `run` may then happen
 * twice (it timed out after all), as a job may.
 */
export function runJobsAtCommit<N extends QueueName>(name: N, run: AtCommit<N>): void {
  atCommit.set(name, run as AtCommit<QueueName>);
}

/** A job queued with its transaction: `doneHere` once this process did it at the commit. */
export interface QueuedJob {
  readonly doneHere: boolean;
}

/**
 * Queues a job as part of a transaction. The job is written to the `outbox` table inside
 * the transaction, so it exists exactly when the change it describes does. Once the
 * transaction commits it is handed to Bull at once (or done here: runJobsAtCommit) and its
 * outbox row deleted; if that fails (Redis away) the row stays and the workers' relay hands
 * it over later. Either way the job carries a fixed id, so Bull takes it once. The answer
 * tells, once the transaction has committed, whether this process did the job itself.
 * `known` is asked once the commit's earlier hooks ran: facts the at-commit work then need
 * not read (AtCommitFacts).
 */
export async function enqueueAfterCommit<N extends QueueName>(
  transaction: Transaction,
  name: N,
  payload: JobPayloads[N],
  options: EnqueueOptions,
  known?: () => FactsOf<N> | undefined,
): Promise<QueuedJob> {
  const id = await writeOutbox(name, payload, options.jobId, transaction);
  const run = atCommit.get(name);
  let doneHere = false;
  transaction.afterCommit(async () => {
    try {
      if (!isRedisReady()) throw new Error('redis is not connected');
      const done = run
        ? run(payload, known?.()).then((ran) => {
            if (ran === FOR_WORKERS) return enqueue(name, payload, options);
            doneHere = true;
          })
        : enqueue(name, payload, options);
      await withTimeout(done, IMMEDIATE_ENQUEUE_TIMEOUT_MS);
      outboxRowSent(id);
    } catch (error) {
      warnThrottled(
        'queue',
        { err: error, queue: name, jobId: options.jobId },
        'job kept in the outbox; the relay will queue it',
      );
    }
  });
  return {
    get doneHere() {
      return doneHere;
    },
  };
}

/** Closes every queue this process opened; waits for active jobs of its processors. */
export async function closeQueues(): Promise<void> {
  await flushSentOutbox();
  await Promise.all([...queues.values()].map((queue) => queue.close()));
  queues.clear();
}
