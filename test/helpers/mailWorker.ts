import { getQueue } from '../../app/queue/queues';
import { api } from './http';
import { startProcess, type RunningProcess } from './processes';
import { MailCatcher, resetTokenFrom } from './smtp';

/** PUBLIC_URL as test/setup.ts sets it: reset links must start with it. */
export const PUBLIC_URL = 'http://chirp.test';

/**
 * Waits until the mail queue has nothing waiting, delayed or running, i.e. a worker has
 * finished every mail asked for so far (retries included).
 */
export async function waitForMailQueueIdle(timeoutMs = 15_000): Promise<void> {
  const queue = getQueue('mail');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts();
    if (counts.waiting + counts.active + counts.delayed === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`mail queue still busy after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface MailWorker {
  catcher: MailCatcher;
  worker: RunningProcess;
}

/** A real SMTP server and a real worker process (workers/index.ts) sending to it. */
export async function startMailWorker(): Promise<MailWorker> {
  const catcher = await MailCatcher.start();
  try {
    const worker = await startProcess('workers/index.ts', { SMTP_URL: catcher.url });
    return { catcher, worker };
  } catch (error) {
    await catcher.stop();
    throw error;
  }
}

/** Lets the worker finish what is queued, then stops it and the SMTP server. */
export async function stopMailWorker(running: MailWorker | undefined): Promise<void> {
  if (!running) return;
  try {
    await waitForMailQueueIdle();
  } finally {
    await running.worker.stop();
    await running.catcher.stop();
  }
}

/** Asks for a reset link for `email` and answers the token of the link that was mailed. */
export async function requestResetToken(catcher: MailCatcher, email: string): Promise<string> {
  await api().post('/auth/forgot-password').send({ email }).expect(202);
  return resetTokenFrom(await catcher.waitFor(email), PUBLIC_URL);
}
