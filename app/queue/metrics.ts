import client from 'prom-client';
import { registry } from '../http/metrics';
import { isRedisReady } from '../infra/redis';
import { countDeadLetters } from './deadLetterRecords';
import { QUEUE_NAMES } from './jobs';
import { getQueue } from './queues';
import { warnThrottled, withTimeout } from '../infra/timing';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** A scrape must answer even when Redis is slow: the HTTP metrics still matter then. */
const SCRAPE_TIMEOUT_MS = 1000;

/**
 * Jobs in each queue by state, read from Bull (Redis) at every scrape, so any API node
 * reports the cluster's queues. While Redis is away the series are absent, not stale.
 */
new client.Gauge({
  name: 'chirp_queue_jobs',
  help: 'Jobs in each Bull queue by state (waiting, active, delayed, failed), read at scrape',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    if (!isRedisReady()) return;
    try {
      const counts = await withTimeout(
        Promise.all(QUEUE_NAMES.map((name) => getQueue(name).getJobCounts())),
        SCRAPE_TIMEOUT_MS,
      );
      QUEUE_NAMES.forEach((queue, i) => {
        for (const state of STATES) this.set({ queue, state }, counts[i][state]);
      });
    } catch (error) {
      this.reset();
      warnThrottled('queue-metrics', { err: error }, 'queue depths left out of /metrics');
    }
  },
});

/**
 * Outbox rows the relay gave up on, read from MySQL at every scrape: anything above 0 wants
 * an operator (`npm run outbox -- dead`). Absent when MySQL does not answer in time.
 */
new client.Gauge({
  name: 'chirp_outbox_dead_letters',
  help: 'Outbox jobs moved to outbox_dead_letters after OUTBOX_MAX_ATTEMPTS failed sends',
  registers: [registry],
  async collect() {
    this.reset();
    try {
      this.set(await withTimeout(countDeadLetters(), SCRAPE_TIMEOUT_MS));
    } catch (error) {
      this.reset();
      warnThrottled('dead-letter-metrics', { err: error }, 'dead letters left out of /metrics');
    }
  },
});
