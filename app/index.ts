/** An API node: REST (Koa) on PORT. Run one per core under PM2 cluster mode. */
import { config } from '../config';
import { pendingMigrations } from '../migrations';
import { loadSigningSecret } from './auth/signingSecret';
import { sequelize } from './infra/db';
import { drainableServer } from './http/drain';
import { exitOnFatalErrors, handleShutdown } from './infra/lifecycle';
import { logger, setProcessRole } from './infra/logger';
import { exitUnlessServicesAnswer } from './infra/preflight';
import { cacheRedis, closeRedis, redis, redisReady, sealScripts } from './infra/redis';
import { pushNotificationJob } from './realtime/notificationPush';
import { deliverSmallEntry } from './delivery/fanout';
import { closeQueues, runJobsAtCommit } from './queue/queues';
import { attachRealtime } from './realtime/server';
import { createApp } from './server';
import { profileOnSignal } from './ops/profiler';

async function main(): Promise<void> {
  setProcessRole('api');
  exitOnFatalErrors();
  // A push is one read and one PUBLISH: done here after the commit, a worker only gets the
  // pushes this node could not make (Redis away).
  runJobsAtCommit('notifications', pushNotificationJob);
  // A new entry of an author with few followers is delivered here too (decision 19).
  runJobsAtCommit('fanout', deliverSmallEntry);
  await exitUnlessServicesAnswer();
  await redisReady();
  const pending = await pendingMigrations(sequelize);
  if (pending.length > 0) {
    process.stderr.write(
      `The database has pending migrations (${pending.join(', ')}): ` +
        'run `npm run db:migrate` first.\n',
    );
    process.exit(78);
  }
  const secretSource = await loadSigningSecret();
  if (secretSource === 'development') {
    logger.warn(
      'JWT_SECRET is not set and NODE_ENV=%s: signing with the public development secret',
      config.env,
    );
  } else {
    logger.info(
      { source: secretSource },
      'access tokens signed with the secret from %s',
      secretSource,
    );
  }

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's callback is the listener
  const { server, drain } = drainableServer(createApp().callback());
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
  const realtime = attachRealtime(server);
  // Every module that defines one is loaded by now.
  sealScripts(redis);
  sealScripts(cacheRedis);
  profileOnSignal('api');
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  const address = server.address();
  logger.info({ port: typeof address === 'object' ? address?.port : config.port }, 'api listening');

  handleShutdown([
    // Sockets first: clients are told to go (and reconnect elsewhere) before HTTP closes.
    { name: 'realtime', run: () => realtime.close() },
    // Stops accepting, answers in-flight and further requests on open connections with
    // `Connection: close`, and waits for every connection to close (see http/drain.ts).
    { name: 'http', run: drain },
    { name: 'queues', run: closeQueues },
    { name: 'mysql', run: () => sequelize.close() },
    { name: 'redis', run: closeRedis },
  ]);
  // Only once the signal handlers are in place: a signal sent on `ready` must not find the
  // default action (immediate death, nothing closed).
  process.send?.('ready');
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'api failed to start');
  process.exit(1);
});
