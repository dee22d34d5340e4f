import { expect } from 'chai';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import jwt from 'jsonwebtoken';
import { accessTokenKey, hashToken } from '../../app/auth/tokens';
import { PasswordReset } from '../../models';
import { signIn } from '../helpers/authRequests';
import { bearer, registerUser, type TestUser } from '../helpers/http';
import { postTweet } from '../helpers/socialGraph';
import { type Cluster, logout, startCluster, stopCluster } from './cluster';
import { closeAllSockets, connect, refusal } from './sockets';

interface Claims {
  sub: string;
  ver: number;
  fam: string;
}

/** A token with the claims of a real one, signed with the real key, expiring at `exp` (s). */
function signWithExpiry(claims: Claims, exp: number): string {
  return jwt.sign({ sub: claims.sub, ver: claims.ver, fam: claims.fam, exp }, accessTokenKey(), {
    algorithm: 'HS256',
    issuer: 'chirp',
    audience: 'chirp-api',
  });
}

function claimsOf(token: string): Claims {
  const { sub, ver, fam } = jwt.decode(token) as Claims;
  return { sub, ver, fam };
}
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The token with its payload's `sub` swapped for another user's, the signature kept. */
function withSubject(token: string, sub: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub })).toString('base64url');
  return [header, forged, signature].join('.');
}

/** Resets `user`'s password through `node`, with a reset link as the mail would carry it. */
async function resetPassword(node: ApiNode, user: TestUser): Promise<void> {
  const secret = `reset-${user.id}-${Date.now()}`;
  await PasswordReset.create({
    userId: user.id,
    tokenHash: hashToken(secret),
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  const response = await node
    .client()
    .post('/auth/reset-password')
    .send({ token: secret, password: 'a brand new passphrase' });
  expect(response.status, JSON.stringify(response.body)).to.equal(204);
}

describe('Socket.IO sessions across two API nodes', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  let node1: ApiNode;
  let node2: ApiNode;
  /** Issues access tokens that live 3 seconds (JWT_ACCESS_TTL=3). */
  let shortLived: ApiNode | undefined;

  before(async function () {
    this.timeout(60_000);
    [cluster, shortLived] = await Promise.all([
      startCluster(2),
      startApiNode({ JWT_ACCESS_TTL: '3' }),
    ]);
    [node1, node2] = cluster.nodes;
  });

  afterEach(closeAllSockets);

  after(async () => {
    await stopCluster(cluster);
    await shortLived?.stop();
  });

  describe('the handshake', () => {
    let user: TestUser;
    let other: TestUser;
    before(async () => {
      [user, other] = await Promise.all([registerUser(), registerUser()]);
    });

    it('accepts a valid access token on either node', async () => {
      const first = await connect(node1.url, user.accessToken);
      const second = await connect(node2.url, user.accessToken);
      expect(first.socket.connected).to.equal(true);
      expect(second.socket.connected).to.equal(true);
    });

    const refused: [string, () => unknown][] = [
      ['no token', () => undefined],
      ['an empty token', () => ''],
      ['a token that is not a string', () => 42],
      ['a malformed token', () => 'not-a-jwt'],
      ['a token in three parts that are not a JWT', () => 'abc.def.ghi'],
      ['an expired token', () => signWithExpiry(claimsOf(user.accessToken), nowSeconds() - 60)],
      ['a token whose payload was altered', () => withSubject(user.accessToken, other.id)],
      [
        'a token signed with another key',
        () =>
          jwt.sign(claimsOf(user.accessToken), 'another-secret-that-is-32-bytes-long!!', {
            algorithm: 'HS256',
            issuer: 'chirp',
            audience: 'chirp-api',
            expiresIn: 600,
          }),
      ],
    ];
    for (const [what, token] of refused) {
      it(`refuses ${what} with connect_error "unauthorized"`, async () => {
        expect(await refusal(node1.url, token())).to.equal('unauthorized');
      });
    }

    it('accepts the same claims signed the same way when they have not expired', async () => {
      // The control for "an expired token": only the expiry differs.
      const token = signWithExpiry(claimsOf(user.accessToken), nowSeconds() + 600);
      const client = await connect(node1.url, token);
      expect(client.socket.connected).to.equal(true);
    });

    it('refuses an access token whose session was logged out on the other node', async () => {
      const session = await signIn(user);
      await logout(node2, session);
      expect(await refusal(node1.url, session.accessToken)).to.equal('unauthorized');
      expect(await refusal(node2.url, session.accessToken)).to.equal('unauthorized');
      // Another session of the same user is untouched.
      expect((await connect(node1.url, user.accessToken)).socket.connected).to.equal(true);
    });

    it('refuses access tokens issued before a password reset, and accepts new ones', async () => {
      const victim = await registerUser();
      await resetPassword(node2, victim);
      expect(await refusal(node1.url, victim.accessToken)).to.equal('unauthorized');
      const fresh = await signIn({ username: victim.username, password: 'a brand new passphrase' });
      expect((await connect(node1.url, fresh.accessToken)).socket.connected).to.equal(true);
    });
  });

  describe('a connected socket', () => {
    it('is disconnected when its session is logged out through the other node', async () => {
      const user = await registerUser();
      const secondDevice: TestUser = { ...user, ...(await signIn(user)) }; // another session
      const doomed = await connect(node1.url, user.accessToken);
      const kept = await connect(node1.url, secondDevice.accessToken);

      await logout(node2, user);
      expect(await doomed.disconnected()).to.equal('io server disconnect');

      // The other device's socket still hears the user's own new tweet.
      const tweet = await postTweet(secondDevice, 'still here on my other device', {
        client: node2.client(),
      });
      const heard = await kept.next('tweet:new', ({ tweet: t }) => t.id === tweet.id);
      expect(heard.tweet.id).to.equal(tweet.id);
      expect(kept.socket.connected).to.equal(true);
      expect(await refusal(node1.url, user.accessToken)).to.equal('unauthorized');
    });

    it("is disconnected on every node when the user's password is reset", async () => {
      const user = await registerUser();
      const onNode1 = await connect(node1.url, user.accessToken);
      const onNode2 = await connect(node2.url, user.accessToken);

      await resetPassword(node2, user);
      expect(await onNode1.disconnected()).to.equal('io server disconnect');
      expect(await onNode2.disconnected()).to.equal('io server disconnect');
    });

    it('is disconnected when its access token expires', async () => {
      const user = await registerUser();
      const response = await shortLived!
        .client()
        .post('/auth/login')
        .send({ username: user.username, password: user.password });
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      const token = (response.body as { accessToken: string }).accessToken;
      // Good while it lives, on the node that issued it and on any other...
      await shortLived!.client().get('/users/me').set(bearer(token)).expect(200);
      const onIssuer = await connect(shortLived!.url, token);
      const onNode1 = await connect(node1.url, token);

      // ...and cut when it runs out, wherever the socket is.
      expect(await onIssuer.disconnected()).to.equal('io server disconnect');
      expect(await onNode1.disconnected()).to.equal('io server disconnect');
      expect(await refusal(node1.url, token)).to.equal('unauthorized');
    });
  });
});
