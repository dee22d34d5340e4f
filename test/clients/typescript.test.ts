import { expect } from 'chai';
import {
  ChirpApiError,
  ChirpClient,
  connectRealtime,
  type EventPayload,
  type Realtime,
  type RealtimeEvent,
  type Schemas,
} from '../../clients/typescript/src';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { uniqueHandle } from '../helpers/http';
import { eventually } from '../helpers/poll';
import { type Cluster, startCluster, stopCluster } from '../realtime/cluster';

const PASSWORD = 'correct horse battery';

/** What an app's realtime connection saw: events, connects, cuts and the session's end. */
class Seen {
  readonly events: { event: RealtimeEvent; payload: unknown }[] = [];
  connects = 0;
  readonly disconnects: string[] = [];
  sessionEnded: Error | undefined;

  constructor(readonly realtime: Realtime) {
    realtime.socket.onAny((event: RealtimeEvent, payload: unknown) =>
      this.events.push({ event, payload }),
    );
    realtime.socket.on('connect', () => (this.connects += 1));
    realtime.socket.on('disconnect', (reason) => this.disconnects.push(reason));
  }

  async next<E extends RealtimeEvent>(
    event: E,
    match: (payload: EventPayload<E>) => boolean,
  ): Promise<EventPayload<E>> {
    const found = () =>
      this.events.find((e) => e.event === event && match(e.payload as EventPayload<E>));
    const seen = await until(found, `${event} received`);
    return seen.payload as EventPayload<E>;
  }

  /** Resolves once the socket has connected `times` times in all (reconnections count). */
  async connected(times = 1): Promise<void> {
    await until(() => this.connects >= times, `connected ${times} time(s)`);
  }
}

/** Waits until `check` answers something truthy (state another process changes). */
async function until<T>(check: () => T | Promise<T>, what: string): Promise<NonNullable<T>> {
  return (await eventually(() => Promise.resolve(check()), Boolean, what)) as NonNullable<T>;
}

const open: Realtime[] = [];

/** Connects `client` as an app would, recording what happens. */
function listen(client: ChirpClient): Seen {
  const seen: Seen = new Seen(
    connectRealtime(client, { onSessionEnded: (error) => (seen.sessionEnded = error) }),
  );
  open.push(seen.realtime);
  return seen;
}

/** A new account signed up through the client, which keeps its tokens. */
async function signUp(node: ApiNode): Promise<{ client: ChirpClient; user: Schemas['User'] }> {
  const client = new ChirpClient({ baseUrl: node.url });
  const session = await client.post('/auth/register', {
    body: { ...uniqueHandle('cl'), password: PASSWORD },
  });
  client.useTokens(session);
  return { client, user: session.user };
}

describe('the TypeScript client (clients/typescript)', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  let node: ApiNode;
  /** Issues access tokens that live 3 seconds (JWT_ACCESS_TTL=3). */
  let shortLived: ApiNode | undefined;

  before(async function () {
    this.timeout(60_000);
    [cluster, shortLived] = await Promise.all([
      startCluster(1),
      startApiNode({ JWT_ACCESS_TTL: '3' }),
    ]);
    [node] = cluster.nodes;
  });

  afterEach(() => {
    for (const realtime of open.splice(0)) realtime.close();
  });

  after(async () => {
    await stopCluster(cluster);
    await shortLived?.stop();
  });

  it('signs up, follows and posts over REST, and the follower receives tweet:new', async () => {
    const author = await signUp(node);
    const follower = await signUp(node);
    await follower.client.post('/users/{id}/follow', { params: { id: author.user.id } });
    const seen = listen(follower.client);
    await seen.connected();

    const posted = await author.client.post('/tweets', { body: { content: 'typed end to end' } });

    const { tweet } = await seen.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
    expect(tweet).to.deep.equal(posted);
    const timeline = await follower.client.get('/tweets', { query: { limit: 20 } });
    expect(timeline.data.map((item) => item.id)).to.include(posted.id);
    const profile = await follower.client.get('/users/{id}', { params: { id: author.user.id } });
    expect(profile).to.deep.include({ username: author.user.username, following: true });
  });

  it('throws problem details as a ChirpApiError with their status and code', async () => {
    const { client } = await signUp(node);
    const refused = await client
      .post('/tweets', { body: { content: '' } })
      .catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ChirpApiError);
    expect(refused).to.deep.include({ status: 400, code: 'validation_failed' });
    expect((refused as ChirpApiError).errors.map((e) => e.field)).to.include('body.content');
    const missing = await client
      .get('/tweets/{id}', { params: { id: '999999999999' } })
      .catch((e: unknown) => e);
    expect(missing).to.deep.include({ status: 404, code: 'not_found' });
  });

  it('refreshes an expired access token and reconnects the socket Chirp cut, missing no tweet', async () => {
    const author = await signUp(shortLived!);
    const follower = await signUp(shortLived!);
    await follower.client.post('/users/{id}/follow', { params: { id: author.user.id } });
    const first = { author: author.client.tokens, follower: follower.client.tokens };
    const seen = listen(follower.client);

    // Chirp cuts the socket when its token expires; the client refreshes and connects again.
    await seen.connected(2);
    expect(seen.disconnects[0]).to.equal('io server disconnect');
    expect(follower.client.tokens?.accessToken).to.not.equal(first.follower?.accessToken);

    // The author's token expired before the follower's: this call refreshes it first.
    const posted = await author.client.post('/tweets', { body: { content: 'after expiry' } });
    expect(author.client.tokens?.refreshToken).to.not.equal(first.author?.refreshToken);
    const { tweet } = await seen.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
    expect(tweet.id).to.equal(posted.id);
    expect(seen.sessionEnded).to.equal(undefined);
  });

  it('refreshes once for concurrent calls refused as expired, and all of them answer', async () => {
    const { client, user } = await signUp(shortLived!);
    const pairs: unknown[] = [];
    const watched = new ChirpClient({
      baseUrl: shortLived!.url,
      tokens: client.tokens,
      onTokens: (tokens) => pairs.push(tokens),
    });
    const expired = client.tokens!.accessToken;
    await until(async () => {
      const response = await fetch(`${shortLived!.url}/users/me`, {
        headers: { Authorization: `Bearer ${expired}` },
      });
      return response.status === 401;
    }, 'the access token expired');

    const answers = await Promise.all(Array.from({ length: 3 }, () => watched.get('/users/me')));

    expect(answers.map((me) => me.id)).to.deep.equal([user.id, user.id, user.id]);
    expect(pairs).to.have.length(1); // one exchange of the refresh token for the three calls
    expect(watched.tokens?.accessToken).to.not.equal(expired);
  });

  it('refreshes when the handshake refuses the access token, then connects', async () => {
    const { client } = await signUp(node);
    const stale = new ChirpClient({
      baseUrl: node.url,
      tokens: { accessToken: 'no-longer-valid', refreshToken: client.tokens!.refreshToken },
    });
    const seen = listen(stale);
    await seen.connected();
    expect(stale.tokens?.accessToken).to.not.equal('no-longer-valid');
  });

  it('ends the session, without reconnecting, when its refresh is refused after a logout', async () => {
    const { client } = await signUp(node);
    const seen = listen(client);
    await seen.connected();
    // The same session signed out from another device, which holds the same refresh token.
    const other = new ChirpClient({ baseUrl: node.url, tokens: client.tokens });
    await other.post('/auth/logout', { body: { refreshToken: client.tokens!.refreshToken } });

    const ended = await until(() => seen.sessionEnded, 'the session ended');
    expect(ended).to.be.instanceOf(ChirpApiError).and.deep.include({ status: 401 });
    expect(client.tokens).to.equal(null);
    expect(seen.realtime.socket.connected).to.equal(false);
    expect(seen.connects).to.equal(1);
  });
});
