/** An API node: REST (Koa) on PORT. Run one per core under PM2 cluster mode. */
import http from 'node:http';
import { config } from '../config';
import { pendingMigrations } from '../migrations';
import { sequelize } from './infra/db';
import { exitOnFatalErrors, handleShutdown } from './infra/lifecycle';
import { logger, setProcessRole } from './infra/logger';
import { preflight } from './infra/preflight';
import { closeRedis } from './infra/redis';
import { closeQueues } from './queue/queues';
import { createApp } from './server';

async function main(): Promise<void> {
  setProcessRole('api');
  exitOnFatalErrors();
  const problems = await preflight();
  if (problems.length > 0) {
    for (const problem of problems) logger.fatal(problem);
    process.exit(69);
  }
  const pending = await pendingMigrations(sequelize);
  if (pending.length > 0) {
    logger.fatal(
      { pending },
      'the database has pending migrations; run `npm run db:migrate` first',
    );
    process.exit(78);
  }
  if (config.jwt.usingDevelopmentSecret) {
    logger.warn('JWT_SECRET is not set: using the development secret (refused in production)');
  }

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's callback is the listener
  const server = http.createServer(createApp().callback());
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  const address = server.address();
  logger.info({ port: typeof address === 'object' ? address?.port : config.port }, 'api listening');
  process.send?.('ready');

  handleShutdown([
    {
      name: 'http',
      // Stops accepting, closes idle keep-alive sockets, waits for in-flight requests.
      run: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    },
    { name: 'queues', run: closeQueues },
    { name: 'mysql', run: () => sequelize.close() },
    { name: 'redis', run: closeRedis },
  ]);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'api failed to start');
  process.exit(1);
});
