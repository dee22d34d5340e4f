import { config } from '../../config';
import { expect } from 'chai';
import { startApiNode } from '../helpers/apiNode';
import type { RunningProcess } from '../helpers/processes';
import { OwnRedis, TcpRelay } from '../helpers/services';

interface Probe {
  status: number;
  body: { status?: string; checks?: { mysql: string; redis: string } };
}

async function probe(url: string): Promise<Probe> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Probe['body'] };
}

/** Asks `url` until it answers `status`, for up to `timeoutMs`; returns that answer. */
async function waitForStatus(url: string, status: number, timeoutMs = 10_000): Promise<Probe> {
  const deadline = Date.now() + timeoutMs;
  let last: Probe | undefined;
  for (;;) {
    last = await probe(url);
    if (last.status === status) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `${url} still answered ${last.status} ${JSON.stringify(last.body)} after ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('GET /healthz and GET /readyz', function () {
  this.timeout(60_000);
  let ownRedis: OwnRedis;
  let relay: TcpRelay;
  let apiProcess: RunningProcess;
  let base: string;

  before(async () => {
    ownRedis = await OwnRedis.create();
    await ownRedis.start();
    relay = await TcpRelay.create({ host: '127.0.0.1', port: 3306 });
    await relay.open();
    ({ process: apiProcess, url: base } = await startApiNode({
      REDIS_URL: ownRedis.url,
      DATABASE_URL: `mysql://root@127.0.0.1:${relay.port}/${config.databaseName}`,
    }));
  });

  after(async () => {
    await apiProcess?.stop('SIGKILL');
    await relay?.close();
    await ownRedis?.stop();
  });

  it('answers 200 ready with both checks ok once MySQL and Redis answer', async () => {
    const ready = await waitForStatus(`${base}/readyz`, 200);
    expect(ready.body).to.deep.equal({ status: 'ready', checks: { mysql: 'ok', redis: 'ok' } });
    const health = await probe(`${base}/healthz`);
    expect(health).to.deep.equal({ status: 200, body: { status: 'ok' } });
  });

  it('answers 503 with redis "down" while Redis is away, and 200 again once it is back', async () => {
    await waitForStatus(`${base}/readyz`, 200);
    await ownRedis.stop();

    const down = await waitForStatus(`${base}/readyz`, 503);
    expect(down.body).to.deep.equal({
      status: 'unavailable',
      checks: { mysql: 'ok', redis: 'down' },
    });
    // Liveness is not readiness: the process is alive, so it must not be restarted.
    const health = await probe(`${base}/healthz`);
    expect(health).to.deep.equal({ status: 200, body: { status: 'ok' } });

    await ownRedis.start();
    const back = await waitForStatus(`${base}/readyz`, 200);
    expect(back.body.checks).to.deep.equal({ mysql: 'ok', redis: 'ok' });
    expect(apiProcess.child.exitCode, 'the API process was not restarted').to.equal(null);
  });

  it('answers 503 with mysql "down" while MySQL is unreachable, and 200 again once it is back', async () => {
    await waitForStatus(`${base}/readyz`, 200);
    await relay.close();

    const down = await waitForStatus(`${base}/readyz`, 503);
    expect(down.body).to.deep.equal({
      status: 'unavailable',
      checks: { mysql: 'down', redis: 'ok' },
    });
    const health = await probe(`${base}/healthz`);
    expect(health).to.deep.equal({ status: 200, body: { status: 'ok' } });

    await relay.open();
    const back = await waitForStatus(`${base}/readyz`, 200);
    expect(back.body.checks).to.deep.equal({ mysql: 'ok', redis: 'ok' });
    expect(apiProcess.child.exitCode, 'the API process was not restarted').to.equal(null);
  });
});
