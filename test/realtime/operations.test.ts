import { expect } from 'chai';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { metricsAuth } from '../helpers/metrics';
import { eventually } from '../helpers/poll';
import { follow, registerUsers, postTweet } from '../helpers/socialGraph';
import { type Cluster, startCluster, stopCluster } from './cluster';
import { type Client, closeAllSockets, connect } from './sockets';

const EXIT_DEADLINE_MS = 10_000;

/** One sample of a Prometheus exposition, 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
  const series = wanted ? `${name}{${wanted}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.slice(series.length)) : 0;
}

async function metricsOf(node: ApiNode): Promise<string> {
  const response = await node.client().get('/metrics').set(metricsAuth()).expect(200);
  return response.text;
}

const connectedSockets = async (node: ApiNode) =>
  sample(await metricsOf(node), 'chirp_realtime_connected_sockets');

const tweetNewSent = async (node: ApiNode) =>
  sample(await metricsOf(node), 'chirp_realtime_events_sent_total', { event: 'tweet:new' });

describe('realtime operations', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  let node: ApiNode;

  before(async function () {
    this.timeout(60_000);
    cluster = await startCluster(1);
    [node] = cluster.nodes;
  });

  afterEach(closeAllSockets);

  after(async () => {
    await stopCluster(cluster);
  });

  describe('GET /metrics on an API node', () => {
    it('counts the sockets connected to it', async () => {
      expect(await connectedSockets(node)).to.equal(0);
      const users = await registerUsers(2);
      const clients = [
        await connect(node.url, users[0].accessToken),
        await connect(node.url, users[0].accessToken),
        await connect(node.url, users[1].accessToken),
      ];
      expect(await connectedSockets(node)).to.equal(3);

      clients[0].close();
      await eventually(
        async () => (await connectedSockets(node)) === 2,
        Boolean,
        'the gauge down to 2',
      );
      for (const client of clients.slice(1)) client.close();
      await eventually(
        async () => (await connectedSockets(node)) === 0,
        Boolean,
        'the gauge down to 0',
      );
    });

    it('counts the tweet:new events it delivered to its sockets', async () => {
      const [author, first, second] = await registerUsers(3);
      for (const follower of [first, second]) await follow(follower, author, node.client());
      const clients = await Promise.all(
        [author, first, second].map((user) => connect(node.url, user.accessToken)),
      );
      const before = await tweetNewSent(node);

      const posted = await postTweet(author, 'count me', { client: node.client() });
      for (const client of clients) {
        await client.next('tweet:new', ({ tweet }) => tweet.id === posted.id);
      }

      expect(await tweetNewSent(node)).to.equal(before + 3);
    });
  });

  describe('SIGTERM on an API node with connected sockets', () => {
    let doomed: ApiNode | undefined;
    let replacement: ApiNode | undefined;
    afterEach(async () => {
      await doomed?.process.stop('SIGKILL');
      await replacement?.process.stop('SIGKILL');
      doomed = replacement = undefined;
    });

    it("disconnects its clients and exits 0, leaving other nodes' clients connected", async () => {
      doomed = await startApiNode();
      const [user, other, author] = await registerUsers(3);
      await follow(other, author, node.client());
      const clients: Client[] = [
        await connect(doomed.url, user.accessToken),
        await connect(doomed.url, user.accessToken),
        await connect(doomed.url, other.accessToken),
      ];
      const elsewhere = await connect(node.url, other.accessToken);

      doomed.process.child.kill('SIGTERM');

      await Promise.all(clients.map((client) => client.disconnected()));
      for (const client of clients) expect(client.socket.connected).to.equal(false);
      expect(await exitCodeWithin(doomed, EXIT_DEADLINE_MS)).to.equal(0);

      // The socket on the node that keeps running still hears new tweets.
      const posted = await postTweet(author, 'after the other node stopped', {
        client: node.client(),
      });
      await elsewhere.next('tweet:new', ({ tweet }) => tweet.id === posted.id);
      expect(elsewhere.disconnects).to.deep.equal([]);
    });

    it('lets its clients reconnect by themselves once a node serves that address again', async () => {
      doomed = await startApiNode();
      const [user] = await registerUsers(1);
      // A client with Socket.IO's automatic reconnection, retrying quickly.
      const client = await connect(doomed.url, user.accessToken, {
        reconnection: true,
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
      });

      doomed.process.child.kill('SIGTERM');
      await client.disconnected();
      expect(await exitCodeWithin(doomed, EXIT_DEADLINE_MS)).to.equal(0);

      replacement = await startApiNode({}, { port: doomed.port });
      await client.connected(15_000);
      const posted = await postTweet(user, 'back after the restart', {
        client: replacement.client(),
      });
      const { tweet } = await client.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
      expect(tweet).to.deep.equal(posted);
    });
  });
});

/** The process's exit code, or a failure if it is still running after `ms`. */
async function exitCodeWithin(node: ApiNode, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running ${ms} ms after SIGTERM:\n${node.process.output()}`)),
      ms,
    );
  });
  try {
    return await Promise.race([node.process.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
