import autocannon from 'autocannon';
import { expect } from 'chai';
import supertest from 'supertest';
import { buildDist } from '../helpers/build';
import { uniqueHandle } from '../helpers/http';
import { freePort } from '../helpers/processes';
import { Pm2Home } from '../helpers/pm2';

/** Deadlines for things that must happen, never measurements. */
const STARTUP_DEADLINE_MS = 40_000;
/** Load runs this long before and after the reload, so requests meet old and new processes. */
const LOAD_MARGIN_MS = 1_500;
/** The load stops when the reload is done (plus the margin), or at this cap. */
const LOAD_CAP_SECONDS = 40;

/**
 * A PM2 daemon of our own: its own PM2_HOME, the suite's MySQL database and Redis logical
 * database, `api` only, two instances in cluster mode.
 */
class Pm2Daemon extends Pm2Home {
  constructor(env: Record<string, string>) {
    super(env, 'chirp-reload-');
  }

  /** The pids of the `api` processes PM2 reports online. */
  onlineApiPids(): Promise<number[]> {
    return this.onlinePids('api');
  }

  /** `pm2 kill` on this daemon only, then whatever outlived it (ours by PM2_HOME), by pid. */
  async kill(): Promise<void> {
    await this.run('kill');
    this.killAll();
  }
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('pm2 reload api (zero-downtime reload, API_INSTANCES=2)', function () {
  this.timeout(LOAD_CAP_SECONDS * 1000 + 30_000);
  let pm2: Pm2Daemon | undefined;
  let url: string;
  let accessToken: string;

  before(async function () {
    this.timeout(240_000);
    // PM2 runs the build, as `npm start` does.
    buildDist(180_000);

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    pm2 = new Pm2Daemon({
      NODE_ENV: 'test',
      PORT: String(port),
      API_INSTANCES: '2',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_POINTS: '1000000',
      AUTH_RATE_LIMIT_POINTS: '1000000',
    });
    const started = await pm2.run('start', 'ecosystem.config.js', '--only', 'api');
    if (started.code !== 0) throw new Error(`pm2 start failed:\n${started.output}`);
    const daemon = pm2;
    await until(
      'two api processes online and /readyz answering 200',
      async () => {
        if ((await daemon.onlineApiPids()).length !== 2) return undefined;
        const ready = await supertest(url).get('/readyz').set('Connection', 'close');
        return ready.status === 200 || undefined;
      },
      STARTUP_DEADLINE_MS,
    );
    const registered = await supertest(url)
      .post('/auth/register')
      .send({ ...uniqueHandle('reload'), password: 'correct horse battery' })
      .expect(201);
    accessToken = registered.body.accessToken;
  });

  after(async function () {
    this.timeout(30_000);
    await pm2?.kill();
  });

  it('answers every request under load while both processes are replaced', async () => {
    const daemon = pm2!;
    const before = await daemon.onlineApiPids();
    expect(before).to.have.lengthOf(2);

    let instance: autocannon.Instance | undefined;
    const load = new Promise<autocannon.Result>((resolve, reject) => {
      instance = autocannon(
        {
          url,
          connections: 10,
          duration: LOAD_CAP_SECONDS,
          timeout: 5,
          requests: [
            { method: 'GET', path: '/healthz' },
            {
              method: 'GET',
              path: '/users/me',
              headers: { authorization: `Bearer ${accessToken}` },
            },
          ],
        },
        (error: Error | null, result) => (error ? reject(error) : resolve(result)),
      );
    });
    const loadStarted = Date.now();
    await new Promise((resolve) => setTimeout(resolve, LOAD_MARGIN_MS));
    const reload = await daemon.run('reload', 'api');
    const reloadedAfterMs = Date.now() - loadStarted;
    await new Promise((resolve) => setTimeout(resolve, LOAD_MARGIN_MS));
    instance!.stop();
    const result = await load;

    expect(reload.code, reload.output).to.equal(0);
    // The load must cover the whole reload, or a gap after it would go unseen.
    expect(reloadedAfterMs, 'reload finished within the load').to.be.below(LOAD_CAP_SECONDS * 1000);
    const outcome = JSON.stringify({
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: result.statusCodeStats,
    });
    expect(result.requests.total, outcome).to.be.greaterThan(500);
    expect(result.errors, outcome).to.equal(0);
    expect(result.timeouts, outcome).to.equal(0);
    expect(result.non2xx, outcome).to.equal(0);
    expect(result['2xx'], outcome).to.equal(result.requests.total);

    const after = await daemon.onlineApiPids();
    expect(after, 'two api processes online after the reload').to.have.lengthOf(2);
    expect(
      after.filter((pid) => before.includes(pid)),
      'old pids still online',
    ).to.be.empty;
  });
});
