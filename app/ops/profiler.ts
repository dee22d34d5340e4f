/**
 * CPU profiles of a live process, on demand and without a restart: `kill -USR2 <pid>` (or
 * `pm2 sendSignal SIGUSR2 api`) starts one, the next SIGUSR2 stops it (or five minutes do) and
 * writes `<tmpdir>/chirp-<role>-<pid>-<time>.cpuprofile`, which Chrome DevTools and
 * speedscope open. It runs through node:inspector inside the process: no debugger port opens.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { logger } from '../infra/logger';
import { PROFILE_SIGNAL, profilePath } from './profileFiles';

const LONGEST_PROFILE_MS = 5 * 60_000;

/** Makes PROFILE_SIGNAL start and stop a CPU profile of this process. */
export function profileOnSignal(role: 'api' | 'worker'): void {
  let running: { session: Session; startedAt: Date; timer: NodeJS.Timeout } | null = null;
  // Signals that come while a profile starts or stops wait for it, in order.
  let busy: Promise<void> = Promise.resolve();
  const schedule = (step: () => Promise<void>) => {
    busy = busy
      .then(step)
      .catch((error: unknown) => logger.error({ err: error }, 'cpu profile failed'));
  };

  async function start(): Promise<void> {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const timer = setTimeout(() => schedule(stop), LONGEST_PROFILE_MS);
    timer.unref();
    running = { session, startedAt: new Date(), timer };
    logger.info(`cpu profile started; send ${PROFILE_SIGNAL} again to stop and write it`);
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const { session, startedAt, timer } = running;
    running = null;
    clearTimeout(timer);
    try {
      const { profile } = await session.post('Profiler.stop');
      const file = profilePath(role, process.pid, startedAt);
      await writeFile(file, JSON.stringify(profile));
      logger.info(
        { file, seconds: (Date.now() - startedAt.getTime()) / 1000 },
        'cpu profile written',
      );
    } finally {
      session.disconnect();
    }
  }

  process.on(PROFILE_SIGNAL, () => schedule(() => (running ? stop() : start())));
}
