import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type Redis from 'ioredis';
import { sequelize } from '../../models';
import {
  type Member,
  type NotificationEntry,
  type OwnChirp,
  call,
  eventually,
  expectCall,
  finishedJob,
  homeTimeline,
  logCursor,
  notifications,
  outboxRows,
  ownRedisClient,
  signUp,
  startOwnChirp,
  waitForEmptyOutbox,
} from './support';
import { deliveredByWorkers } from '../timeline/support';

const followsBy = (list: NotificationEntry[], actor: Member) =>
  list.filter((n) => n.type === 'follow' && n.actor.id === actor.id);

/** Writes a job to the outbox by hand, as a transaction of the API would. */
async function writeOutboxRow(queue: string, jobId: string, payload: object): Promise<void> {
  await sequelize.query(
    `INSERT INTO outbox (queue, job_id, payload, created_at)
     VALUES (:queue, :jobId, :payload, UTC_TIMESTAMP(3))`,
    { replacements: { queue, jobId, payload: JSON.stringify(payload) } },
  );
}

/**
 * "The same holds when the enqueue after commit fails for any other reason": Redis is up and
 * answering, but Bull cannot take the job. The job must wait in the MySQL outbox and reach
 * its users through the worker's relay, once, when Bull takes jobs again.
 */
describe('When the enqueue after commit fails while Redis is up', function () {
  this.timeout(60_000);
  let chirp: OwnChirp;
  let redis: Redis;
  let users: Member[];

  before(async function () {
    this.timeout(45_000);
    chirp = await startOwnChirp();
    redis = ownRedisClient(chirp.redis);
    users = await Promise.all(Array.from({ length: 4 }, () => signUp(chirp)));
    await waitForEmptyOutbox();
  });

  after(async () => {
    redis?.disconnect();
    await chirp?.stop();
  });

  // A post, not a like or a follow: their notification's push is made by the API itself,
  // and a PUBLISH still passes where Redis refuses writes.
  it('accepts a post whose fan-out job Bull refuses, and fans it out once Bull takes jobs again', async () => {
    const [follower, author] = users;
    await deliveredByWorkers(author.id); // the post's fan-out is a job, not done at commit
    await expectCall(chirp, 200, 'POST', `/users/${author.id}/follow`, {
      token: follower.accessToken,
    });
    await waitForEmptyOutbox();
    let jobId: string;
    let posted: string;
    const workerLogs = logCursor(chirp.worker);
    // Out of memory under the default `noeviction` policy: Redis still answers (reads, PING)
    // but refuses every write, so Bull's add fails at once and leaves nothing in Redis.
    await redis.config('SET', 'maxmemory', '1');
    try {
      const ready = await call(chirp, 'GET', '/readyz');
      expect(ready.status, 'Redis still answers').to.equal(200);
      const post = await expectCall(chirp, 201, 'POST', '/tweets', {
        token: author.accessToken,
        body: { content: 'posted while Bull refuses jobs' },
      });
      posted = post.body.id;
      jobId = `fanout:${posted}`;
      expect(await outboxRows([jobId]), 'the fan-out job, kept in the outbox').to.equal(1);
      expect(await redis.exists(`bull:fanout:${jobId}`), 'no such job in Bull').to.equal(0);

      // The relay tries, fails, and keeps the row for a later round (an attempt counted).
      await eventually(
        () => Promise.resolve(workerLogs().map((line) => line.msg)),
        (messages) => messages.some((msg) => /outbox job not queued/.test(msg ?? '')),
        'the relay failing to hand the job to Bull',
      );
      expect(await outboxRows([jobId]), 'the job, still in the outbox').to.equal(1);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }

    await waitForEmptyOutbox();
    await finishedJob(redis, 'fanout', jobId);
    const timeline = await homeTimeline(chirp, follower);
    expect(timeline.filter((entry) => entry.id === posted)).to.have.length(1);
  });

  // A job of the format queued before notifications committed with their action.
  it('relays a job written to the outbox by hand and deletes its row', async () => {
    const [, , actor, target] = users;
    const jobId = `test:follow:${randomUUID()}`;
    await writeOutboxRow('notifications', jobId, {
      kind: 'follow',
      actorId: actor.id,
      userId: target.id,
    });
    await eventually(
      () => notifications(chirp, target),
      (list) => followsBy(list, actor).length > 0,
      'the notification of the job written by hand',
    );
    await eventually(
      () => outboxRows([jobId]),
      (count) => count === 0,
      'its row deleted',
    );
    const first = await finishedJob(redis, 'notifications', jobId);

    // The same job id written twice more (a relay that died after queueing, say): Bull takes
    // the id once, and the user hears of it once.
    await writeOutboxRow('notifications', jobId, {
      kind: 'follow',
      actorId: actor.id,
      userId: target.id,
    });
    await writeOutboxRow('notifications', jobId, {
      kind: 'follow',
      actorId: actor.id,
      userId: target.id,
    });
    await eventually(
      () => outboxRows([jobId]),
      (count) => count === 0,
      'both rows deleted',
    );
    await waitForEmptyOutbox();
    const again = await redis.hgetall(`bull:notifications:${jobId}`);
    expect(again.timestamp, 'the job Bull holds is still the first one').to.equal(first.timestamp);
    expect(again.finishedOn).to.equal(first.finishedOn);
    expect(followsBy(await notifications(chirp, target), actor)).to.have.length(1);
  });
});
