import { RelayPaused, type RelayRound, relayOutbox } from '../app/queue/outbox';
import type { OutboxRow } from '../app/queue/outboxRecords';
import { isQueueName, type JobPayloads, type QueueName } from '../app/queue/jobs';
import { enqueue } from '../app/queue/queues';
import { isRedisReady } from '../app/infra/redis';
import { logger } from '../app/infra/logger';
import { warnThrottled } from '../app/infra/timing';

const RELAY_EVERY_MS = 1000;
/** A Bull add that has not answered by then means Redis is not answering (frozen, cut off). */
const SEND_TIMEOUT_MS = 5000;

/** The row's job, or an error saying why it can never be queued as written. */
function parseJob(row: OutboxRow): { queue: QueueName; payload: JobPayloads[QueueName] } {
  const { queue } = row;
  if (!isQueueName(queue)) throw new Error(`no queue named "${queue}"`);
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    // Not the parser's message: it quotes the payload.
    throw new Error('payload is not valid JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new Error('payload is not a JSON object');
  }
  return { queue, payload: payload as JobPayloads[QueueName] };
}

/**
 * Queues one row's job in Bull. Throws RelayPaused when Redis is away or silent (not the
 * row's fault: no attempt is counted), any other error when the row itself failed.
 */
async function send(row: OutboxRow): Promise<void> {
  const { queue, payload } = parseJob(row);
  if (!isRedisReady()) throw new RelayPaused('redis is not connected');
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<'silent'>((resolve) => {
    timer = setTimeout(() => resolve('silent'), SEND_TIMEOUT_MS);
  });
  try {
    const queued = enqueue(queue, payload as never, { jobId: row.jobId }).then(
      () => 'queued' as const,
    );
    if ((await Promise.race([queued, silent])) === 'silent') {
      throw new RelayPaused(`redis did not answer within ${SEND_TIMEOUT_MS} ms`);
    }
  } catch (error) {
    if (!(error instanceof RelayPaused) && !isRedisReady()) {
      throw new RelayPaused('redis is not connected');
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function report(round: RelayRound): void {
  if (round.paused) {
    warnThrottled(
      'outbox-relay',
      { reason: round.paused.message },
      'outbox relay paused: cannot queue jobs',
    );
  }
  if (round.retried > 0) {
    warnThrottled(
      'outbox-retry',
      { rows: round.retried },
      'outbox job not queued; retried with backoff',
    );
  }
  if (round.dead > 0) {
    logger.error(
      { rows: round.dead },
      'outbox rows moved to the dead letters; see npm run outbox -- dead',
    );
  }
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
      .then(report)
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
