import { expect } from 'chai';
import { registerUser, type TestUser } from '../helpers/http';
import {
  type ApiNode,
  forgetSpentBudgets,
  generalBudget,
  startSmallBudgetNode,
} from '../ratelimit/support';
import { closeAllSockets, connect, type SocketSettings } from '../realtime/sockets';

const LIMIT = 5;
const WINDOW_SECONDS = 60;

/** 'connected', or the message of the `connect_error` the handshake got instead. */
async function handshakeOutcome(
  node: ApiNode,
  token: string,
  settings: SocketSettings = {},
): Promise<string> {
  try {
    const client = await connect(node.url, token, settings);
    client.close();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

async function handshakes(
  count: number,
  node: ApiNode,
  token: string,
  settings: (index: number) => SocketSettings = () => ({}),
): Promise<string[]> {
  const outcomes: string[] = [];
  for (let index = 0; index < count; index += 1) {
    outcomes.push(await handshakeOutcome(node, token, settings(index)));
  }
  return outcomes;
}

const forwardedFor = (value: string): SocketSettings => ({
  extraHeaders: { 'X-Forwarded-For': value },
});

describe('Security: Socket.IO handshakes spend a per-address budget', function () {
  this.timeout(30_000);
  let direct: ApiNode;
  let behindProxy: ApiNode;
  let alice: TestUser;

  before(async function () {
    this.timeout(60_000);
    const env = generalBudget(LIMIT, WINDOW_SECONDS);
    [direct, behindProxy, alice] = await Promise.all([
      startSmallBudgetNode(env),
      startSmallBudgetNode({ ...env, TRUST_PROXY: '1' }),
      registerUser(),
    ]);
  });
  after(async () => {
    closeAllSockets();
    await Promise.all([direct?.stop(), behindProxy?.stop()]);
  });
  beforeEach(forgetSpentBudgets);

  it('refuses the handshake past RATE_LIMIT_POINTS with connect_error rate_limited', async () => {
    const outcomes = await handshakes(LIMIT + 2, direct, alice.accessToken);
    expect(outcomes).to.deep.equal([
      ...Array<string>(LIMIT).fill('connected'),
      'rate_limited',
      'rate_limited',
    ]);
  });

  it('counts refused tokens against the address too', async () => {
    const outcomes = await handshakes(LIMIT + 1, direct, 'not-a-token');
    expect(outcomes).to.deep.equal([...Array<string>(LIMIT).fill('unauthorized'), 'rate_limited']);
  });

  it('takes the address as HTTP does behind a proxy: a varying left-most entry does not dodge it', async () => {
    const outcomes = await handshakes(LIMIT + 2, behindProxy, alice.accessToken, (i) =>
      forwardedFor(`198.51.100.${i + 1}, 203.0.113.5`),
    );
    expect(outcomes.slice(LIMIT)).to.deep.equal(['rate_limited', 'rate_limited']);

    // Another client the proxy saw has a budget of its own.
    const other = await handshakeOutcome(
      behindProxy,
      alice.accessToken,
      forwardedFor('203.0.113.5, 203.0.113.6'),
    );
    expect(other).to.equal('connected');
  });
});
