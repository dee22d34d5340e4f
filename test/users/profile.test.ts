import { expect } from 'chai';
import { api, bearer, registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { UNKNOWN_ID, follow, getUser, postTweet } from '../helpers/socialGraph';

describe('GET /users/:id', () => {
  it('shows a user with their counters and whether the viewer follows them', async () => {
    const viewer = await registerUser();
    const shown = await registerUser({ displayName: 'Grace Hopper' });

    const before = await getUser(viewer, shown.id);
    expect(before).to.have.all.keys(
      'id',
      'username',
      'displayName',
      'bio',
      'createdAt',
      'followersCount',
      'followingCount',
      'tweetsCount',
      'following',
    );
    expect(before).to.deep.include({
      id: shown.id,
      username: shown.username,
      displayName: 'Grace Hopper',
      bio: '',
      followersCount: 0,
      followingCount: 0,
      tweetsCount: 0,
      following: false,
    });
    expect(new Date(before.createdAt).toISOString()).to.equal(before.createdAt);

    await follow(viewer, shown);
    await postTweet(shown, 'counted on my profile');

    expect(await getUser(viewer, shown.id)).to.include({
      followersCount: 1,
      followingCount: 0,
      tweetsCount: 1,
      following: true,
    });
    // The relation is the viewer's: the followed user does not follow back.
    expect(await getUser(shown, viewer.id)).to.include({
      followersCount: 0,
      followingCount: 1,
      following: false,
    });
  });

  it('answers 404 not_found for an id no user has', async () => {
    const viewer = await registerUser();
    const response = await api().get(`/users/${UNKNOWN_ID}`).set(bearer(viewer.accessToken));
    expectProblem(response, 404, 'not_found');
  });

  it('answers 404 not_found for ids that cannot name a user', async () => {
    const viewer = await registerUser();
    for (const id of ['abc', '12abc', '0', '-1', '1.5', '99999999999999999999999']) {
      const response = await api().get(`/users/${id}`).set(bearer(viewer.accessToken));
      expect(response.status, id).to.equal(404);
      expectProblem(response, 404, 'not_found');
    }
  });

  it('answers 401 unauthorized without a token', async () => {
    const user = await registerUser();
    expectProblem(await api().get(`/users/${user.id}`), 401, 'unauthorized');
    expectProblem(
      await api().get(`/users/${user.id}`).set(bearer('not-a-token')),
      401,
      'unauthorized',
    );
  });
});
