import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { redis } from '../../app/infra/redis';
import { keys } from '../../app/cache/keys';
import { MAX_BLOCKS } from '../../app/records/blocks';
import { api, bearer, registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { createUsers } from '../helpers/factories';
import {
  UNKNOWN_ID,
  engage,
  follow,
  followRequest,
  getUser,
  notificationsOf,
  postTweet,
  readAllPages,
  registerUsers,
  settledNotifications,
} from '../helpers/socialGraph';
import { readPage, timelineIds, useWorker, waitForQueuesIdle } from '../timeline/support';
import { act, actOn, type FlaggedUser } from './support';

describe('POST /users/:id/block and /unblock', function () {
  this.timeout(60_000);
  useWorker();

  it('answers the user with blocking: true, twice the same, and blocking: false after unblock', async () => {
    const [me, them] = await registerUsers(2);
    expect(await act(me, 'block', them)).to.include({ id: them.id, blocking: true, muting: false });
    expect(await act(me, 'block', them)).to.include({ blocking: true });
    expect(await getUser(me, them.id)).to.include({ blocking: true, following: false });
    expect(await act(me, 'unblock', them)).to.include({ blocking: false });
    expect(await act(me, 'unblock', them)).to.include({ blocking: false });
    expect(await getUser(me, them.id)).to.include({ blocking: false });
  });

  it('refuses blocking yourself (400 cannot_block_self) and an unknown user (404)', async () => {
    const me = await registerUser();
    expectProblem(await actOn(me, 'block', me.id), 400, 'cannot_block_self');
    expectProblem(await actOn(me, 'block', UNKNOWN_ID), 404, 'not_found');
    expectProblem(await actOn(me, 'unblock', UNKNOWN_ID), 404, 'not_found');
  });

  it('ends the follows both ways with exact counters, once however often it is sent', async () => {
    const [me, them, other] = await registerUsers(3);
    await follow(me, them);
    await follow(them, me);
    await follow(other, them);
    await act(me, 'block', them);
    await act(me, 'block', them);
    expect(await getUser(me, me.id)).to.include({ followersCount: 0, followingCount: 0 });
    expect(await getUser(me, them.id)).to.include({
      followersCount: 1,
      followingCount: 0,
      following: false,
    });
    // Unblocking brings nothing back.
    await act(me, 'unblock', them);
    expect(await getUser(me, them.id)).to.include({ followersCount: 1, following: false });
  });

  it("takes each side's entries out of the other's home timeline", async () => {
    const [me, them] = await registerUsers(2);
    await follow(me, them);
    await follow(them, me);
    const mine = await postTweet(me, 'mine');
    const theirs = await postTweet(them, 'theirs');
    await waitForQueuesIdle();
    expect(await timelineIds(me)).to.include(theirs.id);
    expect(await timelineIds(them)).to.include(mine.id);

    await act(them, 'block', me);
    expect(await timelineIds(me)).to.deep.equal([mine.id]);
    expect(await timelineIds(them)).to.deep.equal([theirs.id]);
  });

  it("hides a followee's retweet of a blocked user's tweet, warm and rebuilt from MySQL", async () => {
    const [me, friend, blocked] = await registerUsers(3);
    await follow(me, friend);
    const theirs = await postTweet(blocked, 'blocked words');
    await engage(friend, 'post', 'retweet', theirs.id);
    const own = await postTweet(friend, 'friend words');
    await waitForQueuesIdle();
    const before = (await readPage(me)).data;
    expect(before.map((item) => item.tweet?.id ?? item.id)).to.include(theirs.id);

    await act(me, 'block', blocked);
    expect((await readPage(me)).data.map((item) => item.id)).to.deep.equal([own.id]);
    // Cold: no timeline, no hidden set, no tweet records: the same answer from MySQL.
    await redis.del(keys.home(me.id), keys.hidden(me.id), keys.tweet(theirs.id));
    expect((await readPage(me)).data.map((item) => item.id)).to.deep.equal([own.id]);
    expect((await readPage(me)).data.map((item) => item.id)).to.deep.equal([own.id]);
  });

  it('keeps pages full and paging whole when most entries are hidden', async () => {
    const [me, friend, blocked] = await registerUsers(3);
    await follow(me, friend);
    const shown: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const theirs = await postTweet(blocked, `blocked ${i}`);
      shown.push((await postTweet(friend, `shown ${i}`)).id);
      await engage(friend, 'post', 'retweet', theirs.id);
      await engage(friend, 'post', 'retweet', (await postTweet(blocked, `more ${i}`)).id);
    }
    await waitForQueuesIdle();
    await act(me, 'block', blocked);
    const pages = await readAllPages<{ id: string }>(me, '/tweets', 2);
    expect(pages.slice(0, 3).map((page) => page.length)).to.deep.equal([2, 2, 2]);
    expect(pages.flat().map((item) => item.id)).to.deep.equal([...shown].reverse());
  });

  it('refuses follows, replies, likes and retweets between the two, either way (403 blocked)', async () => {
    const [me, them] = await registerUsers(2);
    const mine = await postTweet(me, 'mine');
    const theirs = await postTweet(them, 'theirs');
    await act(me, 'block', them);
    const as = (user: typeof me) => bearer(user.accessToken);
    expectProblem(await followRequest(them, me.id), 403, 'blocked');
    expectProblem(await followRequest(me, them.id), 403, 'blocked');
    for (const [user, tweet] of [
      [them, mine],
      [me, theirs],
    ] as const) {
      expectProblem(await api().post(`/tweets/${tweet.id}/like`).set(as(user)), 403, 'blocked');
      expectProblem(await api().post(`/tweets/${tweet.id}/retweet`).set(as(user)), 403, 'blocked');
      const reply = await api()
        .post('/tweets')
        .set(as(user))
        .send({ content: 'hey', replyToId: tweet.id });
      expectProblem(reply, 403, 'blocked');
    }
    expect(await getUser(me, me.id)).to.include({ followersCount: 0, tweetsCount: 1 });
    await act(me, 'unblock', them);
    await follow(them, me);
  });

  it('hides notifications from a blocked user, makes their mention text, and shows old ones after unblock', async () => {
    const [me, them] = await registerUsers(2);
    const mine = await postTweet(me, 'mine');
    await engage(them, 'post', 'like', mine.id);
    expect((await settledNotifications(me, 1)).map((n) => n.type)).to.deep.equal(['like']);

    await act(me, 'block', them);
    expect(await notificationsOf(me)).to.deep.equal([]);
    const mention = await postTweet(them, `hello @${me.username}`);
    expect(mention.entities.mentions).to.deep.equal([]);
    await waitForQueuesIdle();
    expect(await notificationsOf(me)).to.deep.equal([]);

    await act(me, 'unblock', them);
    expect((await notificationsOf(me)).map((n) => n.type)).to.deep.equal(['like']);
  });
});

describe('GET /users/me/blocks', () => {
  it('lists whom you block, newest first, paged without skips or repeats', async () => {
    const me = await registerUser();
    const targets = await createUsers(5);
    for (const target of targets) await act(me, 'block', target);
    await act(me, 'unblock', targets[2]);
    const pages = await readAllPages<FlaggedUser>(me, '/users/me/blocks', 2);
    expect(pages.map((page) => page.length)).to.deep.equal([2, 2]);
    const listed = pages.flat();
    expect(listed.map((user) => user.id)).to.deep.equal(
      [targets[4], targets[3], targets[1], targets[0]].map((user) => user.id),
    );
    for (const user of listed) expect(user).to.include({ blocking: true });
  });

  it('answers 409 limit_reached for a block past the limit, and blocks nothing', async () => {
    const [me, next] = await registerUsers(2);
    // MAX_BLOCKS rows straight in SQL: ids no user has are as good as users for the count.
    const rows = Array.from(
      { length: MAX_BLOCKS },
      (_, i) => `(${me.id}, ${1_000_000_000 + i}, UTC_TIMESTAMP(3))`,
    );
    await sequelize.query(
      `INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ${rows.join(',')}`,
    );
    expectProblem(await actOn(me, 'block', next.id), 409, 'limit_reached');
    expect(await getUser(me, next.id)).to.include({ blocking: false });
    const [row] = await sequelize.query<{ count: number }>(
      'SELECT COUNT(*) AS count FROM blocks WHERE blocker_id = :me',
      { replacements: { me: me.id }, type: QueryTypes.SELECT },
    );
    expect(Number(row.count)).to.equal(MAX_BLOCKS);
  });
});
