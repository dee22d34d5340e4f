import Queue from 'bull';
import { expect } from 'chai';
import { config } from '../../config';
import { redis } from '../../app/infra/redis';
import type { JobPayloads } from '../../app/queue/jobs';
import { getQueue } from '../../app/queue/queues';
import { keys } from '../../app/cache/keys';
import { processFanout } from '../../workers/fanout';
import { registerUser, type TestUser } from '../helpers/http';
import { eventually } from '../helpers/poll';
import { startWorker, stopWorker } from '../helpers/workers';
import { follow, registerUsers, postTweet } from '../helpers/socialGraph';
import { readPage, storedTimelineHas } from './support';

/*
 * How the crash is simulated: a real Bull queue private to this test (on the suite's Redis
 * database) runs the real processor, `processFanout`, and its first attempt throws right
 * after the processor delivered to every timeline, as a worker dying before it could
 * acknowledge the job would. Bull then retries it (attempts: 2) through its own failure
 * path, and the second attempt delivers again. Killing a worker process with SIGKILL mid-job
 * was the other way, but a fan-out to a handful of timelines takes about a millisecond, so
 * the kill would land before or after it by chance: the test could not say which case it
 * checked. Crashing after a full delivery is the case that most risks duplicates; a crash
 * half-way re-delivers a subset of it.
 */
describe('Fan-out retried after a crash', function () {
  this.timeout(60_000);
  let author: TestUser;
  let followers: TestUser[];
  const own = new Map<string, string>();
  let queue: Queue.Queue<JobPayloads['fanout']> | undefined;

  before(async function () {
    // The social graph is set up with a real worker running, so that nothing it queued is
    // left behind; the tweet itself is then fanned out only by the test's own queue.
    const worker = await startWorker();
    try {
      author = await registerUser();
      followers = await registerUsers(5);
      for (const follower of followers) {
        await follow(follower, author);
        own.set(follower.id, (await postTweet(follower, 'my own')).id);
        await readPage(follower);
      }
      await readPage(author);
    } finally {
      await stopWorker(worker);
    }
  });

  after(async function () {
    if (!queue) return;
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('leaves the tweet in every timeline exactly once', async () => {
    const id = (await postTweet(author, 'delivered twice, shown once')).id;
    // No worker runs now: the API's own job for the tweet waits; the test's queue does it.
    const pending = await getQueue('fanout').getJob(`fanout:${id}`);
    expect(pending, 'the API queued the fan-out').to.not.equal(null);
    await pending!.remove();

    queue = new Queue<JobPayloads['fanout']>(`test:fanout-retry:${process.pid}`, config.redisUrl);
    const delivered: number[] = [];
    void queue.process(async (job) => {
      const result = await processFanout(job);
      delivered.push(result.delivered);
      if (delivered.length === 1) throw new Error('simulated crash after delivering');
      return result;
    });
    const job = await queue.add({ entryId: id }, { jobId: `fanout:${id}`, attempts: 2 });
    await eventually(
      async () => (await queue!.getJob(job.id))?.isCompleted(),
      Boolean,
      'the retried job completed',
    );

    expect(delivered).to.deep.equal([followers.length, followers.length]); // crashed, then again
    for (const follower of followers) {
      expect(await storedTimelineHas(follower.id, id)).to.equal(true);
      // The sentinel, the follower's own tweet and this one: nothing twice.
      expect(await redis.zcard(keys.home(follower.id))).to.equal(3);
      const ids = (await readPage(follower)).data.map((item) => item.id);
      expect(ids, follower.username).to.deep.equal([id, own.get(follower.id)]);
    }
    expect((await readPage(author)).data.map((item) => item.id)).to.deep.equal([id]);
  });
});
