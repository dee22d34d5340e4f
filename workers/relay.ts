import { type OutboxRow, relayOutbox } from '../app/queue/outbox';
import type { JobPayloads, QueueName } from '../app/queue/jobs';
import { enqueue } from '../app/queue/queues';
import { warnThrottled } from '../app/infra/timing';

const RELAY_EVERY_MS = 1000;

async function send(row: OutboxRow): Promise<void> {
  const payload = JSON.parse(row.payload) as JobPayloads[QueueName];
  await enqueue(row.queue, payload as never, { jobId: row.jobId });
}

/**
 * Hands jobs that were not queued at commit time (Redis away, process died) from the MySQL
 * outbox to Bull, every second. Stopped by the returned function.
 */
export function startOutboxRelay(): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = relayOutbox(send)
      .catch((error: unknown) =>
        warnThrottled('outbox-relay', { err: error }, 'outbox relay paused: cannot queue jobs'),
      )
      .finally(() => {
        busy = false;
      });
  }, RELAY_EVERY_MS);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
