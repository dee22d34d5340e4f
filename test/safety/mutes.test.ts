import { expect } from 'chai';
import { registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import {
  engage,
  follow,
  getUser,
  notificationsOf,
  postTweet,
  readAllPages,
  registerUsers,
  settledNotifications,
  unfollow,
  type UserBody,
} from '../helpers/socialGraph';
import { timelineIds, useWorker, waitForQueuesIdle } from '../timeline/support';
import { act, actOn } from './support';

describe('POST /users/:id/mute and /unmute', function () {
  this.timeout(60_000);
  useWorker();

  it('answers the user with muting: true, and is not told to them: they can still follow', async () => {
    const [me, them] = await registerUsers(2);
    expect(await act(me, 'mute', them)).to.include({ id: them.id, muting: true, blocking: false });
    expect(await act(me, 'mute', them)).to.include({ muting: true });
    expectProblem(await actOn(me, 'mute', me.id), 400, 'cannot_mute_self');
    expect(await follow(them, me)).to.include({ following: true, followersCount: 1 });
    expect(await getUser(them, me.id)).to.include({ muting: false, blocking: false });
    expect(await notificationsOf(them)).to.deep.equal([]);
    expect(await act(me, 'unmute', them)).to.include({ muting: false });
  });

  it("takes the muted user's tweets and others' retweets of them out of the home timeline", async () => {
    const [me, muted, friend] = await registerUsers(3);
    await follow(me, muted);
    await follow(me, friend);
    const theirs = await postTweet(muted, 'muted words');
    await engage(friend, 'post', 'retweet', theirs.id);
    const own = await postTweet(friend, 'friend words');
    await waitForQueuesIdle();
    expect((await timelineIds(me)).length).to.equal(3);

    await act(me, 'mute', muted);
    expect(await timelineIds(me)).to.deep.equal([own.id]);
    // Posted while muted: the fan-out skips the muter, the read would hide it anyway.
    await postTweet(muted, 'still muted');
    await waitForQueuesIdle();
    expect(await timelineIds(me)).to.deep.equal([own.id]);
  });

  it('brings their recent entries back on unmute, when still followed', async () => {
    const [me, muted, unfollowed] = await registerUsers(3);
    await follow(me, muted);
    await follow(me, unfollowed);
    const before = await postTweet(muted, 'before');
    await postTweet(unfollowed, 'unfollowed');
    await waitForQueuesIdle();
    await act(me, 'mute', muted);
    await act(me, 'mute', unfollowed);
    const during = await postTweet(muted, 'during');
    await waitForQueuesIdle();
    expect(await timelineIds(me)).to.deep.equal([]);

    await act(me, 'unmute', muted);
    expect(await timelineIds(me)).to.deep.equal([during.id, before.id]);
    await unfollow(me, unfollowed);
    await act(me, 'unmute', unfollowed);
    expect(await timelineIds(me)).to.deep.equal([during.id, before.id]);
  });

  it('hides their notifications, writes none while muted, and shows the old ones after unmute', async () => {
    const [me, muted] = await registerUsers(2);
    const mine = await postTweet(me, 'mine');
    await engage(muted, 'post', 'like', mine.id);
    expect((await settledNotifications(me, 1)).map((n) => n.type)).to.deep.equal(['like']);
    await act(me, 'mute', muted);
    expect(await notificationsOf(me)).to.deep.equal([]);
    await follow(muted, me);
    await engage(muted, 'post', 'retweet', mine.id);
    await waitForQueuesIdle();
    expect(await notificationsOf(me)).to.deep.equal([]);
    await act(me, 'unmute', muted);
    expect((await notificationsOf(me)).map((n) => n.type)).to.deep.equal(['like']);
  });
});

describe('GET /users/me/mutes', () => {
  it('lists whom you mute, newest first, paged without skips or repeats', async () => {
    const me = await registerUser();
    const targets = await registerUsers(3);
    for (const target of targets) await act(me, 'mute', target);
    const pages = await readAllPages<UserBody>(me, '/users/me/mutes', 2);
    expect(pages.map((page) => page.length)).to.deep.equal([2, 1]);
    expect(pages.flat().map((user) => user.id)).to.deep.equal(
      [...targets].reverse().map((user) => user.id),
    );
    for (const user of pages.flat()) expect(user).to.include({ muting: true, blocking: false });
  });
});
