import type { Job } from 'bull';
import { expect } from 'chai';
import { QUEUE_NAMES } from '../../app/queue/jobs';
import { getQueue } from '../../app/queue/queues';
import { api } from '../helpers/http';
import { metricsAuth } from '../helpers/metrics';
import { eventually } from '../helpers/poll';

const STATES = ['waiting', 'active', 'delayed', 'failed'];

/** Every `chirp_queue_jobs` sample of a scrape, by `queue/state`. */
async function queueJobs(): Promise<Map<string, number>> {
  const response = await api().get('/metrics').set(metricsAuth()).expect(200);
  expect(response.text).to.contain('# TYPE chirp_queue_jobs gauge');
  const samples = new Map<string, number>();
  for (const match of response.text.matchAll(
    /^chirp_queue_jobs\{queue="([^"]+)",state="([^"]+)"\} (\S+)$/gm,
  )) {
    samples.set(`${match[1]}/${match[2]}`, Number(match[3]));
  }
  return samples;
}

describe('GET /metrics: chirp_queue_jobs{queue, state}', () => {
  const added: Job[] = [];

  afterEach(async () => {
    for (const job of added.splice(0)) await job.remove();
  });

  it('reports waiting, active, delayed and failed jobs for every queue', async () => {
    const samples = await queueJobs();
    for (const queue of QUEUE_NAMES) {
      for (const state of STATES) {
        expect(samples.get(`${queue}/${state}`), `${queue}/${state}`).to.be.a('number');
      }
    }
    expect(samples.size).to.equal(QUEUE_NAMES.length * STATES.length);
  });

  it('counts jobs as they are queued, delayed and removed, read from Redis at each scrape', async () => {
    const before = await queueJobs();
    const queue = getQueue('notifications');
    const payload = { kind: 'follow' as const, actorId: '1', userId: '2' };
    const stamp = Date.now();
    added.push(await queue.add(payload, { jobId: `metrics-wait-${stamp}` }));
    for (let i = 0; i < 2; i += 1) {
      added.push(
        await queue.add(payload, { jobId: `metrics-delay-${stamp}-${i}`, delay: 3_600_000 }),
      );
    }

    const during = await queueJobs();
    expect(during.get('notifications/waiting')).to.equal(before.get('notifications/waiting')! + 1);
    expect(during.get('notifications/delayed')).to.equal(before.get('notifications/delayed')! + 2);
    expect(during.get('mail/delayed')).to.equal(before.get('mail/delayed'));

    for (const job of added.splice(0)) await job.remove();
    const after = await queueJobs();
    expect(after.get('notifications/waiting')).to.equal(before.get('notifications/waiting'));
    expect(after.get('notifications/delayed')).to.equal(before.get('notifications/delayed'));
  });

  it('counts a job taken by a worker as active, and as failed once it fails', async () => {
    const queue = getQueue('timeline');
    const before = await queueJobs();
    added.push(
      await queue.add(
        { kind: 'repair', tweetIds: [], userIds: [], authUserIds: [] },
        // LIFO: taken next, before any job another test left waiting (one with attempts left
        // would go back to waiting, not to failed).
        { jobId: `metrics-fail-${Date.now()}`, attempts: 1, lifo: true },
      ),
    );
    // What a worker does: take the job (active), then record its failure.
    const taken = (await queue.getNextJob()) as Job | undefined;
    expect(taken?.id, 'the job just added, taken').to.equal(added[added.length - 1].id);
    // Read until the scrape shows it: Bull moves the job to `active` over its own connections.
    // A failure names the processes consuming the queue, which would take jobs from under us.
    const workers = async () => (await queue.getWorkers()).map((w) => w.name);
    const expected = before.get('timeline/active')! + 1;
    await eventually(
      async () => ({
        active: (await queueJobs()).get('timeline/active'),
        workers: await workers(),
      }),
      ({ active }) => active === expected,
      `timeline/active at ${expected}`,
      5_000,
    );

    await taken!.moveToFailed({ message: 'failed on purpose' }, true);
    await taken!.releaseLock(); // as a worker does when done with a job
    const failed = await queueJobs();
    expect(failed.get('timeline/active')).to.equal(before.get('timeline/active'));
    expect(failed.get('timeline/failed')).to.equal(before.get('timeline/failed')! + 1);
  });
});
