import { expect } from 'chai';
import { api } from '../helpers/http';
import { metricsAuth } from '../helpers/metrics';

/** The value of one sample of the exposition text, 0 when the series is not there yet. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...match[2].matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) {
      return Number(match[3]);
    }
  }
  return 0;
}

async function scrape(): Promise<string> {
  const response = await api().get('/metrics').set(metricsAuth()).expect(200);
  expect(response.type).to.equal('text/plain');
  return response.text;
}

describe('GET /metrics', () => {
  it('counts requests by method, route pattern and status', async () => {
    const labels = { method: 'GET', route: '/users/me', status: '401' };
    const before = sample(await scrape(), 'chirp_http_requests_total', labels);
    for (let i = 0; i < 3; i += 1) await api().get('/users/me').expect(401);
    await api().get('/healthz').expect(200);

    const text = await scrape();
    expect(text).to.contain('# TYPE chirp_http_requests_total counter');
    expect(sample(text, 'chirp_http_requests_total', labels)).to.equal(before + 3);
  });

  it('times requests in a latency histogram labelled by route and status', async () => {
    await api().get('/users/me').expect(401);
    const text = await scrape();
    expect(text).to.contain('# TYPE chirp_http_request_duration_seconds histogram');
    const labels = { method: 'GET', route: '/users/me', status: '401' };
    const buckets = text
      .split('\n')
      .filter((line) => line.startsWith('chirp_http_request_duration_seconds_bucket{'))
      .filter((line) => line.includes('route="/users/me"') && line.includes('status="401"'));
    expect(buckets.length, 'buckets for /users/me 401').to.be.greaterThan(1);
    const count = sample(text, 'chirp_http_request_duration_seconds_count', labels);
    expect(count).to.be.greaterThan(0);
    // Every request falls in the +Inf bucket: the histogram saw as many as the counter.
    expect(
      sample(text, 'chirp_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' }),
    ).to.equal(count);
    expect(count).to.equal(sample(text, 'chirp_http_requests_total', labels));
  });

  it('labels paths no route matches "unmatched", never with the raw URL', async () => {
    const labels = { method: 'GET', route: 'unmatched', status: '404' };
    const before = sample(await scrape(), 'chirp_http_requests_total', labels);
    await api().get('/nope/123').expect(404);
    await api().get('/nope/456?x=1').expect(404);

    const text = await scrape();
    expect(sample(text, 'chirp_http_requests_total', labels)).to.equal(before + 2);
    expect(text).not.to.contain('/nope/123');
    expect(text).not.to.contain('/nope/456');
  });

  it('labels a route with parameters by its pattern, not by the value in the URL', async () => {
    await api().get('/docs/init.js').expect(200);
    const text = await scrape();
    expect(
      sample(text, 'chirp_http_requests_total', {
        method: 'GET',
        route: '/docs/:asset',
        status: '200',
      }),
    ).to.be.greaterThan(0);
    expect(text).not.to.contain('init.js');
  });
});
