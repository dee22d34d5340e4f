import { expect } from 'chai';
import Redis from 'ioredis';
import { QueryTypes } from 'sequelize';
import { keys } from '../../app/cache/keys';
import { sequelize } from '../../models';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { type RunningProcess, startProcess } from '../helpers/processes';
import { SENTINEL_MASTER, SentinelCluster } from '../helpers/redisSentinel';
import { deliveredByWorkers } from '../timeline/support';
import { type Client, closeAllSockets, connect } from '../realtime/sockets';
import {
  type Answer,
  call,
  eventually,
  expectCall,
  homeTimeline,
  type Member,
  notifications,
  signUp,
  waitForEmptyOutbox,
} from '../resilience/support';

/** Posts that must succeed once the sentinels name the new master. */
const AFTER_RECOVERY = 10;
/** The longest the load runs after the kill, whatever happens. */
const LOAD_LIMIT_MS = 40_000;
const PAUSE_MS = 100;
/**
 * How long a job held at the kill may take to come back: its lock lives up to 30 s, and Bull's
 * stalled check (every 30 s) moves an active job only on the pass after the one that marked it.
 */
const STALLED_RECOVERY_MS = 120_000;

type Kind = 'tweet' | 'like' | 'follow';

interface Attempt {
  kind: Kind;
  /** The tweet's content for a post, the acting user's id for a like or a follow. */
  marker: string;
  at: number;
  answer?: Answer;
  /** Set when no answer came within the request deadline (a hang). */
  failure?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 17 part 5: a master and a replica watched by three sentinels; the master is killed
 * while clients post, like and follow. Chirp follows the master the sentinels elect, answers
 * 503 problems (never 500s, never hangs) meanwhile, and every acknowledged write is in MySQL
 * once, counted once, and its jobs done once the worker is on the new master.
 */
describe('Redis Sentinel failover under load', function () {
  this.timeout(240_000);
  let cluster: SentinelCluster;
  let node: ApiNode;
  let worker: RunningProcess;
  let author: Member; // posts
  let reader: Member; // follows the author: the posts' fanout reaches them
  let liked: string; // the author's tweet the likers like
  let target: Member; // the one the followers follow
  let crowd: Member[]; // each likes `liked` once and follows `target` once
  const attempts: Attempt[] = [];
  let killedAt = 0;
  let newMaster: Redis;
  let readerSocket: Client; // connected before the kill, kept through it

  before(async function () {
    this.timeout(90_000);
    cluster = await SentinelCluster.start();
    const env = {
      // With sentinels the URL only gives the database; its host and port are not used.
      REDIS_URL: 'redis://127.0.0.1:1/0',
      REDIS_SENTINELS: cluster.sentinelList,
      REDIS_SENTINEL_NAME: SENTINEL_MASTER,
      LOG_LEVEL: 'warn',
    };
    [node, worker] = await Promise.all([startApiNode(env), startProcess('workers/index.ts', env)]);
    [author, reader, target] = await Promise.all([signUp(node), signUp(node), signUp(node)]);
    crowd = [];
    for (let i = 0; i < 8; i += 1) {
      crowd.push(...(await Promise.all(Array.from({ length: 10 }, () => signUp(node)))));
    }
    // The posts' fan-out is a Bull job (failed over with its queue), not done at commit.
    await deliveredByWorkers(author.id);
    await expectCall(node, 200, 'POST', `/users/${author.id}/follow`, {
      token: reader.accessToken,
    });
    readerSocket = await connect(node.url, reader.accessToken);
    await homeTimeline(node, reader); // built in Redis: the posts' fanout adds to it
    liked = (
      await expectCall(node, 201, 'POST', '/tweets', {
        token: author.accessToken,
        body: { content: `liked ${Date.now()}` },
      })
    ).body.id;
  });

  after(async () => {
    closeAllSockets();
    newMaster?.disconnect();
    await Promise.all([node?.stop(), worker?.stop('SIGKILL')]);
    await cluster?.stop();
  });

  it('keeps answering while the master is killed, and writes succeed again on the new one', async () => {
    const run = Date.now();
    let stopping = false;
    let switchedAt = 0; // when the test saw the sentinels name the replica
    const client = async (next: (i: number) => Promise<Attempt | null>) => {
      for (let i = 0; !stopping; i += 1) {
        const attempt = await next(i);
        if (!attempt) return;
        attempts.push(attempt);
        await sleep(PAUSE_MS);
      }
    };
    const timed = async (kind: Kind, marker: string, request: () => Promise<Answer>) => {
      const attempt: Attempt = { kind, marker, at: Date.now() };
      try {
        attempt.answer = await request();
      } catch (error) {
        attempt.failure = (error as Error).message;
      }
      return attempt;
    };
    const load = Promise.all([
      client((i) => {
        const content = `sentinel ${run} ${i}`;
        return timed('tweet', content, () =>
          call(node, 'POST', '/tweets', { token: author.accessToken, body: { content } }),
        );
      }),
      client(async (i) =>
        i >= crowd.length
          ? null
          : timed('like', crowd[i].id, () =>
              call(node, 'POST', `/tweets/${liked}/like`, { token: crowd[i].accessToken }),
            ),
      ),
      client(async (i) =>
        i >= crowd.length
          ? null
          : timed('follow', crowd[i].id, () =>
              call(node, 'POST', `/users/${target.id}/follow`, { token: crowd[i].accessToken }),
            ),
      ),
    ]);
    await sleep(2000);
    killedAt = Date.now();
    await cluster.killMaster();
    await eventually(
      () => cluster.currentMasterPort(),
      (port) => port === cluster.replica.port,
      'the sentinels naming the replica master',
      LOAD_LIMIT_MS,
    );
    switchedAt = Date.now();
    // Writes made once the new master is named, until enough posts succeeded on it.
    const postsSince = () =>
      attempts.filter((a) => a.kind === 'tweet' && a.at > switchedAt && a.answer?.status === 201);
    const limit = switchedAt + LOAD_LIMIT_MS;
    while (Date.now() < limit && postsSince().length < AFTER_RECOVERY) await sleep(100);
    stopping = true;
    await load;

    const hangs = attempts.filter((attempt) => attempt.failure);
    expect(hangs, 'requests without an answer').to.deep.equal([]);
    const failed = attempts.filter((attempt) => attempt.answer!.status >= 300);
    for (const attempt of failed) {
      const shown = `${attempt.kind} ${attempt.marker}: ${JSON.stringify(attempt.answer)}`;
      expect(attempt.answer!.status, shown).to.equal(503);
      expect(attempt.answer!.body, shown).to.include({ status: 503 });
    }
    expect(postsSince(), 'posts after the failover').to.have.length(AFTER_RECOVERY);
    const lastFailure = Math.max(0, ...failed.map((attempt) => attempt.at));
    const afterKill = attempts.filter((a) => a.at > killedAt);
    const byKind = (kind: Kind) => {
      const mine = afterKill.filter((a) => a.kind === kind);
      return `${kind}s ${mine.filter((a) => a.answer!.status < 300).length} ok/${mine.length}`;
    };
    console.log(
      `      master killed; sentinels named the replica after ${switchedAt - killedAt} ms; ` +
        `${failed.length} of ${afterKill.length} writes after the kill answered 503 ` +
        `(${(['tweet', 'like', 'follow'] as const).map(byKind).join(', ')}); ` +
        `last 503 ${failed.length ? `${lastFailure - killedAt} ms` : 'never'} after the kill`,
    );
  });

  it('has every acknowledged post in MySQL exactly once', async () => {
    const posts = attempts.filter((attempt) => attempt.kind === 'tweet');
    const rows = await sequelize.query<{ content: string; copies: number }>(
      'SELECT content, COUNT(*) AS copies FROM tweets WHERE author_id = :author GROUP BY content',
      { replacements: { author: author.id }, type: QueryTypes.SELECT },
    );
    const copies = new Map(rows.map((row) => [row.content, Number(row.copies)]));
    for (const post of posts) {
      const times = copies.get(post.marker) ?? 0;
      if (post.answer!.status === 201) expect(times, post.marker).to.equal(1);
      else expect(times, post.marker).to.be.at.most(1);
    }
  });

  it('counts every acknowledged like and follow exactly once', async () => {
    const [tweet] = await sequelize.query<{ counted: number; recount: number }>(
      `SELECT likes_count AS counted, (SELECT COUNT(*) FROM likes WHERE tweet_id = :id) AS recount
         FROM tweets WHERE id = :id`,
      { replacements: { id: liked }, type: QueryTypes.SELECT },
    );
    expect(Number(tweet.counted), 'likes_count against the likes').to.equal(Number(tweet.recount));
    const [user] = await sequelize.query<{ counted: number; recount: number }>(
      `SELECT followers_count AS counted,
              (SELECT COUNT(*) FROM follows WHERE followee_id = :id) AS recount
         FROM users WHERE id = :id`,
      { replacements: { id: target.id }, type: QueryTypes.SELECT },
    );
    expect(Number(user.counted), 'followers_count against the follows').to.equal(
      Number(user.recount),
    );
    const acked = (kind: Kind) =>
      attempts.filter((a) => a.kind === kind && a.answer!.status === 200).map((a) => a.marker);
    expect(Number(tweet.recount)).to.be.at.least(acked('like').length);
    expect(Number(user.recount)).to.be.at.least(acked('follow').length);
    // Each acknowledged like and follow was notified once, with its commit.
    const likes = (await notifications(node, author)).filter((n) => n.type === 'like');
    const follows = (await notifications(node, target)).filter((n) => n.type === 'follow');
    expect(likes.map((n) => n.actor.id)).to.include.members(acked('like'));
    expect(follows.map((n) => n.actor.id)).to.include.members(acked('follow'));
    expect(new Set(likes.map((n) => n.actor.id)).size).to.equal(likes.length);
    expect(new Set(follows.map((n) => n.actor.id)).size).to.equal(follows.length);
  });

  it("runs every acknowledged post's fanout on the new master, once", async () => {
    newMaster = new Redis(cluster.replica.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    await waitForEmptyOutbox(30_000);
    const posts = attempts.filter((a) => a.kind === 'tweet' && a.answer!.status === 201);
    // A job the worker held when the master died is "active" on the new master, under a lock
    // nobody renews: Bull's stalled-job check hands it back (STALLED_RECOVERY_MS).
    const unfinished = async () => {
      const jobs = await Promise.all(
        posts.map(async (post) => {
          const id = `fanout:${post.answer!.body.id}`;
          const job = await newMaster.hgetall(`bull:fanout:${id}`);
          const lock = await newMaster.pttl(`bull:fanout:${id}:lock`);
          return { id, at: post.at - killedAt, job, lock };
        }),
      );
      // A failed job has finishedOn too: done means finished without a failedReason.
      return jobs.filter(({ job }) => !/^\d+$/.test(job.finishedOn ?? '') || job.failedReason);
    };
    await eventually(
      unfinished,
      (jobs) => jobs.length === 0,
      'the fanout job of every acknowledged post finished on the new master',
      STALLED_RECOVERY_MS,
    );
    // The reader's timeline in Redis (not a MySQL fallback) holds each post once.
    const members = await newMaster.zrange(keys.home(reader.id), 0, -1);
    for (const post of posts) {
      const id = String(post.answer!.body.id);
      const entries = members.filter((member) => member.split(':').pop() === id);
      expect(entries, post.marker).to.have.length(1);
    }
  });

  it('pushes a post made after the failover to a reader connected through it', async () => {
    const { body: posted } = await expectCall(node, 201, 'POST', '/tweets', {
      token: author.accessToken,
      body: { content: `after the failover ${Date.now()}` },
    });
    const { tweet } = await readerSocket.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
    expect(tweet).to.include({ id: posted.id, content: posted.content });
  });
});
