/** A worker process: runs the Bull processors. Run in PM2 fork mode (WORKER_INSTANCES). */
import { readFromPrimary, sequelize } from '../app/infra/db';
import { exitOnFatalErrors, handleShutdown, shuttingDown } from '../app/infra/lifecycle';
import { logger, setProcessRole } from '../app/infra/logger';
import { exitUnlessServicesAnswer } from '../app/infra/preflight';
import { cacheRedis, closeRedis, redis, sealScripts } from '../app/infra/redis';
import { closeMailer } from '../app/mail/mailer';
import { closeQueues, getQueue } from '../app/queue/queues';
import type { Job } from 'bull';
import { QUEUE_NAMES, type JobPayloads, type QueueName } from '../app/queue/jobs';
import { processAccountJob } from './accounts';
import { processFanout, processTimelineUpkeep } from './fanout';
import { processMailJob } from './mail';
import { processNotificationJob } from './notifications';
import { processRepair } from './repair';
import { startOutboxRelay } from './relay';
import { profileOnSignal } from '../app/ops/profiler';

const MAIL_CONCURRENCY = 5;
const FANOUT_CONCURRENCY = 4;
const TIMELINE_CONCURRENCY = 2;
const NOTIFICATION_CONCURRENCY = 10;
/** Account deletions are long and rare: one at a time per worker keeps MySQL for the rest. */
const ACCOUNT_CONCURRENCY = 1;

/** Runs a queue's processor here, logging failed attempts (Bull retries them with backoff). */
function startProcessor<N extends QueueName>(
  name: N,
  concurrency: number,
  processor: (job: Job<JobPayloads[N]>) => Promise<unknown>,
): void {
  const queue = getQueue(name);
  queue.on('failed', (job, error) =>
    logger.warn(
      { queue: name, jobId: job.id, attempt: job.attemptsMade, err: error.message },
      'job failed',
    ),
  );
  // process() settles only when the queue stops. A shutdown closing it, even before it was
  // ready (Bull then rejects with nothing), is the plan; anything else stops this queue's
  // processing for good, so the process exits and its supervisor starts a new one.
  queue.process(concurrency, processor).catch((error: unknown) => {
    if (shuttingDown()) return;
    logger.fatal({ err: error, queue: name }, 'a queue stopped processing');
    process.exit(1);
  });
}

/** The `timeline` queue's processor: cache repairs go to repair.ts, timeline upkeep to fanout.ts. */
async function processTimelineJob(job: Job<JobPayloads['timeline']>): Promise<void> {
  const data = job.data;
  if (data.kind === 'repair') await processRepair(data);
  else await processTimelineUpkeep(data);
}

async function main(): Promise<void> {
  setProcessRole('worker');
  // Jobs describe changes that just committed: a replica may not have them yet.
  readFromPrimary(sequelize);
  exitOnFatalErrors();
  await exitUnlessServicesAnswer();
  startProcessor('mail', MAIL_CONCURRENCY, processMailJob);
  startProcessor('fanout', FANOUT_CONCURRENCY, processFanout);
  startProcessor('timeline', TIMELINE_CONCURRENCY, processTimelineJob);
  startProcessor('notifications', NOTIFICATION_CONCURRENCY, processNotificationJob);
  startProcessor('accounts', ACCOUNT_CONCURRENCY, processAccountJob);
  const stopRelay = startOutboxRelay();
  // Every module that defines one is loaded by now.
  sealScripts(redis);
  sealScripts(cacheRedis);
  profileOnSignal('worker');
  logger.info({ queues: QUEUE_NAMES }, 'worker started');

  handleShutdown([
    { name: 'outbox relay', run: stopRelay },
    // Bull's close waits for the jobs in progress to finish before resolving.
    { name: 'queues', run: closeQueues },
    { name: 'mail', run: closeMailer },
    { name: 'mysql', run: () => sequelize.close() },
    { name: 'redis', run: closeRedis },
  ]);
  // Only once the signal handlers are in place: a signal sent on `ready` must not find the
  // default action (immediate death, nothing closed).
  process.send?.('ready');
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
