import { expect } from 'chai';
import { api, bearer, registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import {
  UNKNOWN_ID,
  followRequest,
  getPage,
  getUser,
  postTweet,
  registerUsers,
  unfollowRequest,
  type UserBody,
} from '../helpers/socialGraph';

describe('POST /users/:id/follow', () => {
  it('follows the user and answers them with following: true', async () => {
    const [fan, star] = await registerUsers(2);
    const response = await followRequest(fan, star.id);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body).to.include({
      id: star.id,
      username: star.username,
      following: true,
      followersCount: 1,
    });
    expect(await getUser(fan, star.id)).to.include({ following: true, followersCount: 1 });
    expect(await getUser(star, fan.id)).to.include({ followingCount: 1, following: false });
  });

  it('counts a second follow of the same user once, on both users', async () => {
    const [fan, star] = await registerUsers(2);
    expect((await followRequest(fan, star.id)).status).to.equal(200);
    const again = await followRequest(fan, star.id);
    expect(again.status).to.equal(200);
    expect(again.body).to.include({ following: true, followersCount: 1 });

    expect(await getUser(fan, star.id)).to.include({ followersCount: 1, followingCount: 0 });
    expect(await getUser(star, fan.id)).to.include({ followersCount: 0, followingCount: 1 });
    const followers = await getPage<UserBody>(fan, `/users/${star.id}/followers`);
    expect(followers.data.map((u) => u.id)).to.deep.equal([fan.id]);
  });

  it('answers the user exactly as GET /users/:id shows them afterwards: profile, counts, a mute', async () => {
    const [fan, star] = await registerUsers(2);
    await api()
      .patch('/users/me')
      .set(bearer(star.accessToken))
      .send({ displayName: 'Star', bio: 'sings' })
      .expect(200);
    await postTweet(star, 'first');
    await api().post(`/users/${star.id}/mute`).set(bearer(fan.accessToken)).expect(200);

    const followed = await followRequest(fan, star.id);
    expect(followed.status, JSON.stringify(followed.body)).to.equal(200);
    expect(followed.body).to.include({ displayName: 'Star', bio: 'sings', tweetsCount: 1 });
    expect(followed.body).to.include({ following: true, muting: true, followersCount: 1 });
    expect(followed.body).to.deep.equal(await getUser(fan, star.id));

    const unfollowed = await unfollowRequest(fan, star.id);
    expect(unfollowed.status, JSON.stringify(unfollowed.body)).to.equal(200);
    expect(unfollowed.body).to.include({ following: false, muting: true, followersCount: 0 });
    expect(unfollowed.body).to.deep.equal(await getUser(fan, star.id));
  });

  it('refuses following yourself with 400 cannot_follow_self', async () => {
    const user = await registerUser();
    expectProblem(await followRequest(user, user.id), 400, 'cannot_follow_self');
    expect(await getUser(user, user.id)).to.include({
      followersCount: 0,
      followingCount: 0,
      following: false,
    });
  });

  it('answers 404 not_found for a user that does not exist', async () => {
    const user = await registerUser();
    expectProblem(await followRequest(user, UNKNOWN_ID), 404, 'not_found');
    expectProblem(await followRequest(user, 'nobody'), 404, 'not_found');
    expect(await getUser(user, user.id)).to.include({ followingCount: 0 });
  });

  it('counts 20 users following one user at the same moment exactly', async () => {
    const star = await registerUser();
    const fans = await registerUsers(20);
    const responses = await Promise.all(fans.map((fan) => followRequest(fan, star.id)));
    expect(responses.map((r) => r.status)).to.deep.equal(fans.map(() => 200));

    expect(await getUser(star, star.id)).to.include({ followersCount: 20 });
    const listed = await getPage<UserBody>(star, `/users/${star.id}/followers?limit=100`);
    expect(listed.data.map((u) => u.id)).to.have.members(fans.map((f) => f.id));
    for (const fan of fans) expect(await getUser(fan, fan.id)).to.include({ followingCount: 1 });
  });

  it('lets two users follow each other at the same moment (no deadlock)', async () => {
    // Several pairs at once, so lock orders get every chance to cross.
    const pairs = await Promise.all(Array.from({ length: 5 }, () => registerUsers(2)));
    const responses = await Promise.all(
      pairs.flatMap(([a, b]) => [followRequest(a, b.id), followRequest(b, a.id)]),
    );
    for (const response of responses) {
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      expect(response.body).to.include({ following: true });
    }
    for (const [a, b] of pairs) {
      expect(await getUser(a, b.id)).to.include({
        following: true,
        followersCount: 1,
        followingCount: 1,
      });
      expect(await getUser(b, a.id)).to.include({
        following: true,
        followersCount: 1,
        followingCount: 1,
      });
    }
  });
});

describe('POST /users/:id/unfollow', () => {
  it('unfollows, answering following: false, and puts both counters back to 0', async () => {
    const [fan, star] = await registerUsers(2);
    expect((await followRequest(fan, star.id)).status).to.equal(200);

    const response = await unfollowRequest(fan, star.id);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body).to.include({ id: star.id, following: false, followersCount: 0 });
    expect(await getUser(fan, star.id)).to.include({ following: false, followersCount: 0 });
    expect(await getUser(star, fan.id)).to.include({ followingCount: 0 });
    const followers = await getPage<UserBody>(fan, `/users/${star.id}/followers`);
    expect(followers.data).to.deep.equal([]);
  });

  it('is idempotent: a second unfollow, or one with no follow, changes nothing', async () => {
    const [fan, star, bystander] = await registerUsers(3);
    expect((await followRequest(bystander, star.id)).status).to.equal(200);
    expect((await followRequest(fan, star.id)).status).to.equal(200);
    expect((await unfollowRequest(fan, star.id)).status).to.equal(200);

    const again = await unfollowRequest(fan, star.id);
    expect(again.status).to.equal(200);
    expect(again.body).to.include({ following: false, followersCount: 1 });
    const never = await unfollowRequest(star, fan.id);
    expect(never.status).to.equal(200);
    expect(never.body).to.include({ following: false, followersCount: 0 });

    // The bystander's follow still counts; nothing went below zero.
    expect(await getUser(fan, star.id)).to.include({ followersCount: 1, followingCount: 0 });
    expect(await getUser(fan, fan.id)).to.include({ followersCount: 0, followingCount: 0 });
    expect(await getUser(bystander, star.id)).to.include({ following: true });
  });

  it('answers 404 not_found for a user that does not exist', async () => {
    const user = await registerUser();
    expectProblem(await unfollowRequest(user, UNKNOWN_ID), 404, 'not_found');
  });
});
