import { randomBytes } from 'node:crypto';
import { hashToken } from '../../app/auth/tokens';
import { sequelize } from '../../app/infra/db';
import { MAX_BLOCKS } from '../../app/records/blocks';
import { MAX_MUTES } from '../../app/records/mutes';
import { PasswordReset, User } from '../../models';
import { api, bearer, registerUser, uniqueHandle, type TestUser } from '../helpers/http';

/**
 * The requests that exercise each operation of the OpenAPI document: its success and the
 * errors only a particular request can cause. Errors every operation of a kind answers (401,
 * 404 for a path naming nothing, 400/413/415 of a body, 400 of a query, 429, 431) are made
 * from the success request by answers.test.ts.
 */

export interface Call {
  method: string;
  path: string;
  as?: TestUser;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent to the second node (a budget of 1 request, METRICS_TOKEN unset), not the first. */
  node?: 'limited';
}

export interface Fixtures {
  alice: TestUser;
  bob: TestUser;
  /** Whom alice blocks, mutes and unblocks. */
  carol: TestUser;
  admin: TestUser;
  /** Blocks alice: she may neither follow them nor touch their tweets. */
  blocker: TestUser;
  bobTweet: string;
  blockerTweet: string;
}

type Make = (f: Fixtures) => Call | Promise<Call>;
export interface OperationCases {
  ok: { status: number; make: Make };
  errors?: Record<number, Make>;
}

export const METRICS_TOKEN = 'test-metrics-token-of-the-suite'; // test/setup.ts
export const PASSWORD = 'correct horse battery';
/** Ids that name nothing. */
export const NOWHERE = '999999999999999';

async function postTweet(user: TestUser, content: string, replyToId?: string): Promise<string> {
  const { body } = await api()
    .post('/tweets')
    .set(bearer(user.accessToken))
    .send({ content, replyToId })
    .expect(201);
  return (body as { id: string }).id;
}

async function makeAdmin(user: TestUser): Promise<TestUser> {
  await User.update({ role: 'admin' }, { where: { id: user.id } });
  return user;
}

export async function makeFixtures(): Promise<Fixtures> {
  const [alice, bob, carol, admin, blocker] = await Promise.all(
    Array.from({ length: 5 }, () => registerUser()),
  );
  await makeAdmin(admin);
  await api().post(`/users/${alice.id}/block`).set(bearer(blocker.accessToken)).expect(200);
  return {
    alice,
    bob,
    carol,
    admin,
    blocker,
    bobTweet: await postTweet(bob, 'Hello from #chirp, @alice'),
    blockerTweet: await postTweet(blocker, 'Not for alice'),
  };
}

async function suspended(f: Fixtures): Promise<TestUser> {
  const user = await registerUser();
  await api()
    .post(`/admin/users/${user.id}/suspend`)
    .set(bearer(f.admin.accessToken))
    .send({ reason: 'Contract test.' })
    .expect(200);
  return user;
}

/** A fresh user who already blocks (or mutes) as many users as one may. */
async function atLimit(table: 'blocks' | 'mutes'): Promise<TestUser> {
  const user = await registerUser();
  const [owner, other, max] =
    table === 'blocks'
      ? ['blocker_id', 'blocked_id', MAX_BLOCKS]
      : ['muter_id', 'muted_id', MAX_MUTES];
  // Ids no user has count as well as users (as test/safety/blocks.test.ts does).
  const rows = Array.from({ length: max }, (_, i) => `(${user.id}, ${2e9 + i}, UTC_TIMESTAMP(3))`);
  await sequelize.query(
    `INSERT INTO ${table} (${owner}, ${other}, created_at) VALUES ${rows.join(',')}`,
  );
  return user;
}

async function boardCookie(f: Fixtures): Promise<string> {
  const response = await api().post('/admin/queues').send({ token: f.admin.accessToken });
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  return cookies[0].split(';')[0];
}

const get = (path: string, as?: TestUser, query?: Record<string, string>): Call => ({
  method: 'GET',
  path,
  as,
  query,
});
const post = (path: string, as?: TestUser, body?: unknown): Call => ({
  method: 'POST',
  path,
  as,
  body,
});
const del = (path: string, as?: TestUser, body?: unknown): Call => ({
  method: 'DELETE',
  path,
  as,
  body,
});
const ok = (status: number, make: Make) => ({ status, make });

export const CASES: Record<string, OperationCases> = {
  register: {
    ok: ok(201, () =>
      post('/auth/register', undefined, { ...uniqueHandle('oas'), password: PASSWORD }),
    ),
    errors: {
      409: (f) =>
        post('/auth/register', undefined, {
          username: f.alice.username,
          email: uniqueHandle().email,
          password: PASSWORD,
        }),
    },
  },
  logIn: {
    ok: ok(200, (f) =>
      post('/auth/login', undefined, { username: f.alice.username, password: PASSWORD }),
    ),
    errors: {
      401: (f) =>
        post('/auth/login', undefined, { username: f.alice.username, password: 'wrong pass' }),
      403: async (f) =>
        post('/auth/login', undefined, {
          username: (await suspended(f)).username,
          password: PASSWORD,
        }),
    },
  },
  refreshSession: {
    ok: ok(200, async () =>
      post('/auth/refresh', undefined, { refreshToken: (await registerUser()).refreshToken }),
    ),
    errors: {
      401: () => post('/auth/refresh', undefined, { refreshToken: 'no-such-token' }),
      403: async (f) =>
        post('/auth/refresh', undefined, { refreshToken: (await suspended(f)).refreshToken }),
    },
  },
  logOut: {
    ok: ok(204, async () => {
      const user = await registerUser();
      return post('/auth/logout', user, { refreshToken: user.refreshToken });
    }),
  },
  requestPasswordReset: {
    ok: ok(202, (f) => post('/auth/forgot-password', undefined, { email: f.bob.email })),
  },
  resetPassword: {
    ok: ok(204, async () => {
      // The token a mailed link carries, stored as the mail worker stores it.
      const user = await registerUser();
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + 3_600_000);
      await PasswordReset.create({ userId: user.id, tokenHash: hashToken(token), expiresAt });
      return post('/auth/reset-password', undefined, { token, password: 'a new passphrase' });
    }),
  },
  getCurrentUser: { ok: ok(200, (f) => get('/users/me', f.alice)) },
  updateCurrentUser: {
    ok: ok(200, (f) => ({ method: 'PATCH', path: '/users/me', as: f.alice, body: { bio: 'Hi.' } })),
  },
  deleteCurrentUser: {
    ok: ok(202, async () => del('/users/me', await registerUser(), { password: PASSWORD })),
  },
  listBlockedUsers: { ok: ok(200, (f) => get('/users/me/blocks', f.blocker)) },
  listMutedUsers: { ok: ok(200, (f) => get('/users/me/mutes', f.alice)) },
  getUserByUsername: { ok: ok(200, (f) => get(`/users/by-username/${f.bob.username}`, f.alice)) },
  getUser: { ok: ok(200, (f) => get(`/users/${f.bob.id}`, f.alice)) },
  followUser: {
    ok: ok(200, (f) => post(`/users/${f.bob.id}/follow`, f.alice)),
    errors: {
      400: (f) => post(`/users/${f.alice.id}/follow`, f.alice),
      403: (f) => post(`/users/${f.blocker.id}/follow`, f.alice),
    },
  },
  unfollowUser: { ok: ok(200, (f) => post(`/users/${f.bob.id}/unfollow`, f.alice)) },
  blockUser: {
    ok: ok(200, (f) => post(`/users/${f.carol.id}/block`, f.alice)),
    errors: {
      400: (f) => post(`/users/${f.alice.id}/block`, f.alice),
      409: async (f) => post(`/users/${f.carol.id}/block`, await atLimit('blocks')),
    },
  },
  unblockUser: { ok: ok(200, (f) => post(`/users/${f.carol.id}/unblock`, f.alice)) },
  muteUser: {
    ok: ok(200, (f) => post(`/users/${f.carol.id}/mute`, f.alice)),
    errors: {
      400: (f) => post(`/users/${f.alice.id}/mute`, f.alice),
      409: async (f) => post(`/users/${f.carol.id}/mute`, await atLimit('mutes')),
    },
  },
  unmuteUser: { ok: ok(200, (f) => post(`/users/${f.carol.id}/unmute`, f.alice)) },
  listFollowers: { ok: ok(200, (f) => get(`/users/${f.bob.id}/followers`, f.alice)) },
  listFollowing: { ok: ok(200, (f) => get(`/users/${f.alice.id}/following`, f.alice)) },
  listUserTweets: { ok: ok(200, (f) => get(`/users/${f.bob.id}/tweets`, f.alice)) },
  listUserLikes: { ok: ok(200, (f) => get(`/users/${f.alice.id}/likes`, f.alice)) },
  listTweetLikers: { ok: ok(200, (f) => get(`/tweets/${f.bobTweet}/likes`, f.alice)) },
  createTweet: {
    ok: ok(201, (f) => post('/tweets', f.alice, { content: 'Hello, #chirp @bob' })),
    errors: {
      403: (f) => post('/tweets', f.alice, { content: 'A reply', replyToId: f.blockerTweet }),
      404: (f) => post('/tweets', f.alice, { content: 'A reply', replyToId: NOWHERE }),
    },
  },
  listHomeTimeline: { ok: ok(200, (f) => get('/tweets', f.alice)) },
  listPopularTweets: { ok: ok(200, (f) => get('/tweets/popular', f.alice)) },
  getTweet: { ok: ok(200, (f) => get(`/tweets/${f.bobTweet}`, f.alice)) },
  deleteTweet: {
    ok: ok(204, async (f) => del(`/tweets/${await postTweet(f.alice, 'Soon gone')}`, f.alice)),
    errors: { 403: (f) => del(`/tweets/${f.bobTweet}`, f.alice) },
  },
  listReplies: { ok: ok(200, (f) => get(`/tweets/${f.bobTweet}/replies`, f.alice)) },
  getTweetContext: { ok: ok(200, (f) => get(`/tweets/${f.bobTweet}/context`, f.alice)) },
  likeTweet: {
    ok: ok(200, (f) => post(`/tweets/${f.bobTweet}/like`, f.alice)),
    errors: { 403: (f) => post(`/tweets/${f.blockerTweet}/like`, f.alice) },
  },
  unlikeTweet: { ok: ok(200, (f) => del(`/tweets/${f.bobTweet}/like`, f.alice)) },
  retweet: {
    ok: ok(200, (f) => post(`/tweets/${f.bobTweet}/retweet`, f.alice)),
    errors: { 403: (f) => post(`/tweets/${f.blockerTweet}/retweet`, f.alice) },
  },
  undoRetweet: { ok: ok(200, (f) => del(`/tweets/${f.bobTweet}/retweet`, f.alice)) },
  bookmarkTweet: { ok: ok(200, (f) => post(`/tweets/${f.bobTweet}/bookmark`, f.alice)) },
  unbookmarkTweet: { ok: ok(200, (f) => del(`/tweets/${f.bobTweet}/bookmark`, f.alice)) },
  listBookmarks: { ok: ok(200, (f) => get('/bookmarks', f.alice)) },
  listNotifications: { ok: ok(200, (f) => get('/notifications', f.alice)) },
  markNotificationsRead: { ok: ok(204, (f) => post('/notifications/read', f.alice, {})) },
  searchUsers: {
    ok: ok(200, (f) => get('/search/users', f.alice, { q: f.bob.username.slice(0, 4) })),
  },
  searchTweets: { ok: ok(200, (f) => get('/search/tweets', f.alice, { q: 'hello' })) },
  listTrendingHashtags: { ok: ok(200, (f) => get('/hashtags/trending', f.alice)) },
  listHashtagTweets: { ok: ok(200, (f) => get('/hashtags/chirp/tweets', f.alice)) },
  getQueueBoardSignInPage: {
    ok: ok(200, () => get('/admin/queues')),
    errors: {
      303: async (f) => ({ ...get('/admin/queues'), headers: { Cookie: await boardCookie(f) } }),
    },
  },
  signInToQueueBoard: {
    ok: ok(204, (f) => post('/admin/queues', undefined, { token: f.admin.accessToken })),
    errors: {
      401: (f) => post('/admin/queues', undefined, { token: `${f.admin.accessToken}x` }),
      403: (f) => post('/admin/queues', undefined, { token: f.alice.accessToken }),
    },
  },
  getQueueBoardSignInScript: { ok: ok(200, () => get('/admin/sign-in.js')) },
  suspendUser: {
    ok: ok(200, async (f) =>
      post(`/admin/users/${(await registerUser()).id}/suspend`, f.admin, { reason: 'Spam.' }),
    ),
    errors: { 403: (f) => post(`/admin/users/${f.bob.id}/suspend`, f.alice, { reason: 'Spam.' }) },
  },
  unsuspendUser: {
    ok: ok(200, async (f) =>
      post(`/admin/users/${(await suspended(f)).id}/unsuspend`, f.admin, { reason: 'Appeal.' }),
    ),
    errors: { 403: (f) => post(`/admin/users/${f.bob.id}/unsuspend`, f.alice, { reason: 'x' }) },
  },
  listAuditLog: {
    ok: ok(200, (f) => get('/admin/audit', f.admin)),
    errors: { 403: (f) => get('/admin/audit', f.alice) },
  },
  getHealth: { ok: ok(200, () => get('/healthz')) },
  getReadiness: { ok: ok(200, () => get('/readyz')) },
  getMetrics: {
    ok: ok(200, () => ({
      ...get('/metrics'),
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    })),
    errors: {
      401: () => ({ ...get('/metrics'), headers: { Authorization: 'Bearer not-the-token' } }),
      403: () => ({ ...get('/metrics'), node: 'limited' }), // METRICS_TOKEN unset: off
    },
  },
  getOpenApiDocument: { ok: ok(200, () => get('/openapi.json')) },
  getDocsPage: { ok: ok(200, () => get('/docs')) },
  getDocsAsset: { ok: ok(200, () => get('/docs/swagger-ui.css')) },
};
