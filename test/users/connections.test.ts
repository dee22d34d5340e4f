import { expect } from 'chai';
import type { TestUser } from '../helpers/http';
import { createFollow, createUser, createUsers } from '../helpers/factories';
import { api, bearer } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { UNKNOWN_ID, follow, getPage, readAllPages, type UserBody } from '../helpers/socialGraph';

const ids = (users: { id: string }[]) => users.map((user) => user.id);

/**
 * `fans` follow `star` one after the other, so the follow order is known. Written directly
 * (test/helpers/factories.ts): these tests are about the lists, not about following.
 */
async function followInOrder(fans: TestUser[], star: TestUser): Promise<void> {
  for (const fan of fans) await createFollow(fan, star);
}

describe('GET /users/:id/followers', () => {
  let star: TestUser;
  let fans: TestUser[];
  before(async () => {
    star = await createUser();
    fans = await createUsers(25);
    await followInOrder(fans, star);
  });

  it('pages 25 followers as 10, 10 and 5, newest follow first, without repeats or gaps', async () => {
    const pages = await readAllPages<UserBody>(star, `/users/${star.id}/followers`, 10);
    expect(pages.map((page) => page.length)).to.deep.equal([10, 10, 5]);
    expect(ids(pages.flat())).to.deep.equal(ids(fans).reverse());
    expect(pages.flat()[0]).to.include({ username: fans[24].username, followingCount: 1 });
  });

  it('answers 20 followers by default', async () => {
    const page = await getPage<UserBody>(star, `/users/${star.id}/followers`);
    expect(ids(page.data)).to.deep.equal(ids(fans).reverse().slice(0, 20));
    expect(page.nextCursor).to.be.a('string');
  });

  it('neither repeats nor shifts items when a follow arrives between page reads', async () => {
    // A followed user of its own: the newcomer must not disturb the other tests' lists.
    const host = await createUser();
    const crowd = await createUsers(25);
    await followInOrder(crowd, host);
    const first = await getPage<UserBody>(host, `/users/${host.id}/followers?limit=10`);
    const latecomer = await createUser();
    await follow(latecomer, host);

    const rest = await readAllPages<UserBody>(
      host,
      `/users/${host.id}/followers`,
      10,
      first.nextCursor,
    );
    expect(rest.map((page) => page.length)).to.deep.equal([10, 5]);
    expect(ids([...first.data, ...rest.flat()])).to.deep.equal(ids(crowd).reverse());
    // A fresh read starts with the newcomer.
    const fresh = await getPage<UserBody>(host, `/users/${host.id}/followers?limit=1`);
    expect(ids(fresh.data)).to.deep.equal([latecomer.id]);
  });

  it('tells for each listed user whether the viewer follows them', async () => {
    const viewer = await createUser();
    const followedByViewer = [fans[3], fans[17], fans[24]];
    for (const fan of followedByViewer) await createFollow(viewer, fan);

    const listed = (await getPage<UserBody>(viewer, `/users/${star.id}/followers?limit=100`)).data;
    expect(ids(listed)).to.have.members(ids(fans));
    for (const user of listed) {
      const expected = followedByViewer.some((fan) => fan.id === user.id);
      expect(user.following, user.username).to.equal(expected);
    }
  });

  it('refuses a bad limit or cursor with 400 validation_failed', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=2.5', 'cursor=bogus']) {
      const response = await api()
        .get(`/users/${star.id}/followers?${query}`)
        .set(bearer(star.accessToken));
      expectProblem(response, 400, 'validation_failed');
      const fields = (response.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields, query).to.deep.equal([`query.${query.split('=')[0]}`]);
    }
  });

  it('answers 404 not_found for an unknown user', async () => {
    const response = await api()
      .get(`/users/${UNKNOWN_ID}/followers`)
      .set(bearer(star.accessToken));
    expectProblem(response, 404, 'not_found');
  });
});

describe('GET /users/:id/following', () => {
  it('lists whom the user follows, newest follow first, paged', async () => {
    const fan = await createUser();
    const stars = await createUsers(5);
    for (const star of stars) await createFollow(fan, star);

    const pages = await readAllPages<UserBody>(fan, `/users/${fan.id}/following`, 2);
    expect(pages.map((page) => page.length)).to.deep.equal([2, 2, 1]);
    expect(ids(pages.flat())).to.deep.equal(ids(stars).reverse());
    for (const user of pages.flat()) expect(user).to.include({ following: true });

    // Someone else looking at the same list follows none of them.
    const stranger = await createUser();
    const seen = await getPage<UserBody>(stranger, `/users/${fan.id}/following`);
    expect(seen.data.map((user) => user.following)).to.deep.equal(stars.map(() => false));
  });

  it('answers an empty page for a user who follows nobody', async () => {
    const loner = await createUser();
    const page = await getPage<UserBody>(loner, `/users/${loner.id}/following`);
    expect(page).to.deep.equal({ data: [], nextCursor: null });
  });

  it('answers 404 not_found for an unknown user', async () => {
    const viewer = await createUser();
    const response = await api()
      .get(`/users/${UNKNOWN_ID}/following`)
      .set(bearer(viewer.accessToken));
    expectProblem(response, 404, 'not_found');
  });
});
