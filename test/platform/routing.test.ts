import { expect } from 'chai';
import { createTweet, createUser } from '../helpers/factories';
import { api, type TestUser } from '../helpers/http';
import { metricSample, metricsAuth } from '../helpers/metrics';

/*
 * GET paths spelled as declared are served without @koa/router (app/http/dispatch.ts); every
 * other spelling still goes through it. Either way a client gets the same answer.
 */
describe('Routing of GET requests', () => {
  let viewer: TestUser;
  let author: TestUser;
  let tweetId: string;
  const auth = () => ({ Authorization: `Bearer ${viewer.accessToken}` });

  before(async () => {
    [viewer, author] = await Promise.all([createUser(), createUser()]);
    tweetId = await createTweet(author, 'routed');
  });

  it('answers GET /users/me with the caller, and GET /users/:id with that user', async () => {
    const me = await api().get('/users/me').set(auth()).expect(200);
    expect(me.body.id).to.equal(viewer.id);
    const other = await api().get(`/users/${author.id}`).set(auth()).expect(200);
    expect(other.body.id).to.equal(author.id);
  });

  it('answers GET /tweets/popular with a page, not as the tweet id "popular"', async () => {
    const response = await api().get('/tweets/popular').set(auth()).expect(200);
    expect(response.body).to.have.property('data').that.is.an('array');
  });

  it('reads a tweet by its id however the path spells it', async () => {
    const digits = [...tweetId].map((digit) => `%3${digit}`).join('');
    for (const path of [`/tweets/${tweetId}`, `/tweets/${digits}`, `/tweets/${tweetId}/`]) {
      const response = await api().get(path).set(auth()).expect(200);
      expect(response.body.id, path).to.equal(tweetId);
      expect(response.body.content, path).to.equal('routed');
    }
    const head = await api().head(`/tweets/${tweetId}`).set(auth()).expect(200);
    expect(head.text ?? '').to.equal('');
  });

  it('answers 404 not_found for a path that names no tweet, or no route', async () => {
    for (const path of ['/tweets/abc', '/tweets/1/nothing', '/users/me/nothing']) {
      const response = await api().get(path).set(auth());
      expect(response.status, path).to.equal(404);
      expect(response.body.code, path).to.equal('not_found');
    }
  });

  it('parses the same query again for each request, and refuses a bad one every time', async () => {
    await createTweet(viewer, 'first');
    await createTweet(viewer, 'second');
    for (let i = 0; i < 2; i += 1) {
      const page = await api().get('/users/me/tweets?limit=1').set(auth());
      // /users/me/tweets is not a route: /users/:id/tweets refuses the id "me".
      expect(page.status).to.equal(404);
      const own = await api().get(`/users/${viewer.id}/tweets?limit=1`).set(auth()).expect(200);
      expect(own.body.data).to.have.length(1);
      expect(own.body.nextCursor).to.be.a('string');
      const refused = await api().get(`/users/${viewer.id}/tweets?limit=abc`).set(auth());
      expect(refused.status).to.equal(400);
      expect(refused.body.errors[0].field).to.equal('query.limit');
    }
  });

  it('counts a GET under its route pattern in the request metrics', async () => {
    const labels = { method: 'GET', route: '/tweets/:id', status: '200' };
    const scrape = async () => (await api().get('/metrics').set(metricsAuth()).expect(200)).text;
    const before = metricSample(await scrape(), 'chirp_http_requests_total', labels);
    await api().get(`/tweets/${tweetId}`).set(auth()).expect(200);
    await api().get(`/tweets/${tweetId}`).set(auth()).expect(200);
    const after = metricSample(await scrape(), 'chirp_http_requests_total', labels);
    expect(after).to.equal(before + 2);
  });

  it('sends the CORS headers on a GET and still answers a preflight', async () => {
    const response = await api().get(`/tweets/${tweetId}`).set(auth()).expect(200);
    expect(response.headers.vary).to.equal('Origin');
    expect(response.headers['access-control-allow-origin']).to.equal('*');
    expect(response.headers['access-control-expose-headers']).to.contain('RateLimit-Remaining');
    const preflight = await api()
      .options('/tweets')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.status).to.equal(204);
    expect(preflight.headers['access-control-allow-methods']).to.contain('POST');
    expect(preflight.headers['access-control-allow-headers']).to.contain('authorization');
  });
});
