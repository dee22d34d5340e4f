import { QUEUE_NAMES } from '../../app/queue/jobs';
import { getQueue } from '../../app/queue/queues';
import { type RunningProcess, startProcess } from './processes';
import { eventually } from './poll';

/** Waits until no queue has anything waiting, delayed or running. */
export async function waitForQueuesIdle(timeoutMs = 20_000): Promise<void> {
  await eventually(
    async () => {
      for (const name of QUEUE_NAMES) {
        const counts = await getQueue(name).getJobCounts();
        if (counts.waiting + counts.active + counts.delayed > 0) return false;
      }
      return true;
    },
    Boolean,
    'every queue idle',
    timeoutMs,
  );
}

/**
 * Starts a worker process (workers/index.ts) with extra environment. Only one worker runs at
 * a time in these tests: they share the queues, and a worker of another configuration (say,
 * another celebrity threshold) must not take a job meant for this one.
 */
export const startWorker = (env: Record<string, string> = {}): Promise<RunningProcess> =>
  startProcess('workers/index.ts', env);

/** Lets the worker finish every queued job (none is left for another suite), then stops it. */
export async function stopWorker(worker: RunningProcess | undefined): Promise<void> {
  if (!worker) return;
  try {
    await waitForQueuesIdle();
  } finally {
    await worker.stop();
  }
}

/**
 * Runs a real worker for the enclosing `describe`: started before its tests, stopped after
 * the queues went idle.
 */
export function useWorker(env: Record<string, string> = {}): void {
  let worker: RunningProcess | undefined;
  before(async function () {
    worker = await startWorker(env);
  });
  after(async function () {
    await stopWorker(worker);
  });
}
