import { expect } from 'chai';
import type { TestUser } from '../helpers/http';
import { api, bearer, registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { useWorker } from '../timeline/support';
import {
  follow,
  notificationsOf,
  readAllPages,
  registerUsers,
  settledNotifications,
  type NotificationBody,
} from '../helpers/socialGraph';

const markRead = (user: TestUser, body: Record<string, unknown>) =>
  api().post('/notifications/read').set(bearer(user.accessToken)).send(body);

/** A user with `count` follow notifications, as the worker made them (newest first). */
async function userNotifiedBy(count: number): Promise<[TestUser, NotificationBody[]]> {
  const user = await registerUser();
  for (const fan of await registerUsers(count)) await follow(fan, user);
  return [user, await settledNotifications(user, count)];
}

/** `{id: read}` of a user's notifications. */
async function readState(user: TestUser): Promise<Record<string, boolean>> {
  return Object.fromEntries((await notificationsOf(user)).map((n) => [n.id, n.read]));
}

describe('GET /notifications and POST /notifications/read', function () {
  this.timeout(30_000);
  useWorker();

  it('pages 25 notifications as 10, 10 and 5, newest first, without repeats or gaps', async () => {
    const star = await registerUser();
    const fans = await registerUsers(25);
    await Promise.all(fans.map((fan) => follow(fan, star)));
    await settledNotifications(star, 25);

    const pages = await readAllPages<NotificationBody>(star, '/notifications', 10);
    expect(pages.map((page) => page.length)).to.deep.equal([10, 10, 5]);
    const all = pages.flat();
    const ids = all.map((n) => BigInt(n.id));
    expect(
      ids.every((id, i) => i === 0 || id < ids[i - 1]),
      'strictly newest first',
    ).to.equal(true);
    expect(all.map((n) => n.actor.id)).to.have.members(fans.map((fan) => fan.id));
    const times = all.map((n) => Date.parse(n.createdAt));
    expect(
      times.every((t, i) => i === 0 || t <= times[i - 1]),
      'times never rise',
    ).to.equal(true);
  });

  it('refuses a bad limit with 400 validation_failed', async () => {
    const user = await registerUser();
    for (const limit of ['0', '101', 'x']) {
      const response = await api()
        .get(`/notifications?limit=${limit}`)
        .set(bearer(user.accessToken));
      expectProblem(response, 400, 'validation_failed');
    }
  });

  it('answers 401 unauthorized without a token', async () => {
    expectProblem(await api().get('/notifications'), 401, 'unauthorized');
    expectProblem(await api().post('/notifications/read').send({}), 401, 'unauthorized');
  });

  it('marks just the notifications named by ids read', async () => {
    const [user, [third, second, first]] = await userNotifiedBy(3);
    const response = await markRead(user, { ids: [first.id, third.id] });
    expect(response.status).to.equal(204);
    expect(await readState(user)).to.deep.equal({
      [first.id]: true,
      [second.id]: false,
      [third.id]: true,
    });
  });

  it('marks every notification read when no ids are given', async () => {
    const [user, notifications] = await userNotifiedBy(3);
    expect((await markRead(user, {})).status).to.equal(204);
    const state = await readState(user);
    expect(Object.keys(state)).to.have.members(notifications.map((n) => n.id));
    expect(Object.values(state)).to.deep.equal([true, true, true]);
  });

  it("leaves another user's notifications alone, even when named by id", async () => {
    const [owner, [theirs]] = await userNotifiedBy(1);
    const [intruder, [mine]] = await userNotifiedBy(1);
    expect((await markRead(intruder, { ids: [theirs.id] })).status).to.equal(204);
    expect(await readState(owner)).to.deep.equal({ [theirs.id]: false });
    expect(await readState(intruder)).to.deep.equal({ [mine.id]: false });

    // Marking all of yours touches only yours.
    expect((await markRead(intruder, {})).status).to.equal(204);
    expect(await readState(owner)).to.deep.equal({ [theirs.id]: false });
    expect(await readState(intruder)).to.deep.equal({ [mine.id]: true });
  });

  it('refuses ids that are not notification ids with 400, marking nothing', async () => {
    const [user, [notification]] = await userNotifiedBy(1);
    for (const ids of [['abc'], [notification.id, '-1'], [], 'all', [Number(notification.id)]]) {
      const response = await markRead(user, { ids });
      expectProblem(response, 400, 'validation_failed');
      expect((response.body.errors as { field: string }[])[0].field).to.match(/^body\.ids/);
    }
    expect(await readState(user)).to.deep.equal({ [notification.id]: false });
  });
});
