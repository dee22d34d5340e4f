import { expect } from 'chai';
import type { ApiNode } from '../helpers/apiNode';
import { io } from 'socket.io-client';
import supertest from 'supertest';
import { bearer } from '../helpers/http';
import { metricSample, metricsAuth } from '../helpers/metrics';
import { type Cluster, startCluster, stopCluster } from '../realtime/cluster';
import { type ChirpSocket, Client, DELIVERY_DEADLINE_MS } from '../realtime/sockets';
import { eventually } from '../helpers/poll';
import { follow, registerUsers, postTweet } from '../helpers/socialGraph';
import { Nginx, nginxOnPath } from './support';

const REQUESTS = 10;

/** How many `GET /users/me` answered 200 one node has counted (scraped on the node itself). */
async function usersMeServed(node: ApiNode): Promise<number> {
  const response = await node.client().get('/metrics').set(metricsAuth()).expect(200);
  return metricSample(response.text, 'chirp_http_requests_total', {
    method: 'GET',
    route: '/users/me',
    status: '200',
  });
}

describe('nginx in front of two API nodes (deploy/nginx/chirp.conf)', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  let nginx: Nginx | undefined;
  const sockets: ChirpSocket[] = [];

  /**
   * A socket.io-client as a browser app opens it: default transports (long-polling first,
   * then the upgrade to WebSocket), through nginx. `upgrade: false` keeps it on polling.
   */
  function openThroughNginx(token: string, settings: { upgrade?: boolean } = {}): Client {
    const socket: ChirpSocket = io(nginx!.url, {
      auth: { token },
      reconnection: false,
      forceNew: true,
      timeout: DELIVERY_DEADLINE_MS,
      ...settings,
    });
    sockets.push(socket);
    return new Client(socket);
  }

  before(async function () {
    if (!nginxOnPath()) {
      console.warn(
        '    skipped: nginx is not on PATH (.ci/run installs it; by hand: apt-get install nginx)',
      );
      this.skip();
    }
    this.timeout(60_000);
    // TRUST_PROXY as in production behind nginx: nodes take the client address from nginx.
    cluster = await startCluster(2, { TRUST_PROXY: 'true' });
    nginx = await Nginx.start(cluster.nodes.map((node) => `127.0.0.1:${node.port}`));
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  after(async () => {
    try {
      await nginx?.stop();
    } finally {
      await stopCluster(cluster);
    }
  });

  it('spreads REST requests over both nodes', async () => {
    const [user] = await registerUsers(1);
    const nodes = cluster!.nodes;
    const before = await Promise.all(nodes.map(usersMeServed));

    for (let i = 0; i < REQUESTS; i += 1) {
      const response = await supertest(nginx!.url).get('/users/me').set(bearer(user.accessToken));
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      expect(response.body.id).to.equal(user.id);
    }

    const served = (await Promise.all(nodes.map(usersMeServed))).map((n, i) => n - before[i]);
    expect(served[0] + served[1], `served by each node: ${served.join(', ')}`).to.equal(REQUESTS);
    expect(served[0], 'requests the first node served').to.be.greaterThan(0);
    expect(served[1], 'requests the second node served').to.be.greaterThan(0);
  });

  it('connects a default client through nginx, upgrades it to WebSocket and delivers tweet:new', async () => {
    const [author, follower] = await registerUsers(2);
    const viaNginx = supertest(nginx!.url);
    await follow(follower, author, viaNginx);
    const client = openThroughNginx(follower.accessToken);
    let firstTransport: string | undefined;
    client.socket.io.on('open', () => (firstTransport = client.socket.io.engine.transport.name));

    await client.connected();
    await eventually(
      () => Promise.resolve(client.socket.io.engine.transport.name === 'websocket'),
      Boolean,
      'the upgrade to WebSocket',
      DELIVERY_DEADLINE_MS,
    );
    expect(firstTransport).to.equal('polling');

    const posted = (await postTweet(author, 'through the load balancer', { client: viaNginx })).id;
    const { tweet: pushed } = await client.next('tweet:new', ({ tweet: t }) => t.id === posted);
    expect(pushed).to.deep.include({ id: posted, content: 'through the load balancer' });
  });

  it('keeps a long-polling session on one node: a client that never upgrades still receives events', async () => {
    const [author, follower] = await registerUsers(2);
    const viaNginx = supertest(nginx!.url);
    await follow(follower, author, viaNginx);
    const client = openThroughNginx(follower.accessToken, { upgrade: false });
    await client.connected();

    // Several polling round trips: each one reaching the other node would end the session
    // ("Session ID unknown") and disconnect the client.
    for (let i = 0; i < 3; i += 1) {
      const posted = (await postTweet(author, `polled ${i}`, { client: viaNginx })).id;
      await client.next('tweet:new', ({ tweet: t }) => t.id === posted);
    }
    expect(client.socket.io.engine.transport.name).to.equal('polling');
    expect(client.disconnects).to.deep.equal([]);
  });

  it("passes the caller's X-Request-Id on, and gives one to requests that have none", async () => {
    const given = await supertest(nginx!.url).get('/healthz').set('X-Request-Id', 'trace-42');
    expect(given.status).to.equal(200);
    expect(given.get('X-Request-Id')).to.equal('trace-42');

    const minted = await supertest(nginx!.url).get('/healthz');
    expect(minted.status).to.equal(200);
    // nginx's $request_id (32 hex digits), not the UUID an API node would make up itself.
    expect(minted.get('X-Request-Id')).to.match(/^[0-9a-f]{32}$/);
  });
});
