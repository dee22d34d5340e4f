import { logger } from './logger';

/** PM2 waits `kill_timeout` (10 s) before SIGKILL; finish well inside it. */
const SHUTDOWN_DEADLINE_MS = 9000;

type Step = { name: string; run: () => Promise<void> | void };

let stopping = false;

/** Whether a shutdown has begun: what closes now (queues, connections) was closed on purpose. */
export const shuttingDown = (): boolean => stopping;

/**
 * Runs the given steps, in order, on SIGTERM or SIGINT (or PM2's `shutdown` message), then
 * exits 0. A step that throws is logged and the next one still runs; if everything has not
 * finished by the deadline the process exits 1 so the supervisor knows it was cut short.
 */
export function handleShutdown(steps: Step[]): void {
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        logger.warn({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.on('message', (message) => {
    if (message === 'shutdown') void stop('shutdown message');
  });
}

/** Logs and exits on errors nothing else caught, rather than running on in an unknown state. */
export function exitOnFatalErrors(): void {
  process.on('unhandledRejection', (reason) => {
    // A reason that is not an Error (a string, undefined) would otherwise log nothing of it.
    const err = reason instanceof Error ? reason : new Error(`rejected with ${String(reason)}`);
    logger.fatal({ err }, 'unhandled promise rejection');
    process.exit(1);
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
}
