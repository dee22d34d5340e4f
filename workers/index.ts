/** A worker process: runs the Bull processors. Run in PM2 fork mode (WORKER_INSTANCES). */
import { sequelize } from '../app/infra/db';
import { exitOnFatalErrors, handleShutdown } from '../app/infra/lifecycle';
import { logger, setProcessRole } from '../app/infra/logger';
import { exitUnlessServicesAnswer } from '../app/infra/preflight';
import { closeRedis } from '../app/infra/redis';
import { closeMailer } from '../app/mail/mailer';
import { closeQueues, getQueue } from '../app/queue/queues';
import { processMailJob } from './mail';

const MAIL_CONCURRENCY = 5;

async function main(): Promise<void> {
  setProcessRole('worker');
  exitOnFatalErrors();
  await exitUnlessServicesAnswer();
  const mail = getQueue('mail');
  mail.on('failed', (job, error) =>
    logger.warn(
      { queue: 'mail', jobId: job.id, attempt: job.attemptsMade, err: error.message },
      'job failed',
    ),
  );
  void mail.process(MAIL_CONCURRENCY, processMailJob);
  logger.info({ queues: ['mail'] }, 'worker started');
  process.send?.('ready');

  handleShutdown([
    // Bull's close waits for the jobs in progress to finish before resolving.
    { name: 'queues', run: closeQueues },
    { name: 'mail', run: closeMailer },
    { name: 'mysql', run: () => sequelize.close() },
    { name: 'redis', run: closeRedis },
  ]);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
