import { expect } from 'chai';
import { redis } from '../../app/infra/redis';
import { keys } from '../../app/cache/keys';
import { api, bearer, registerUser } from '../helpers/http';

async function allPages(token: string, path: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await api().get(`${path}?limit=${limit}${query}`).set(bearer(token)).expect(200);
    ids.push(...(page.body.data as { id: string }[]).map((item) => item.id));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return ids;
}

describe("GET /users/:id/tweets from the author's cache", () => {
  it('builds it on first read, reads like MySQL, and drops deleted tweets', async () => {
    const star = await registerUser();
    const reader = await registerUser();
    const posted: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const tweet = await api()
        .post('/tweets')
        .set(bearer(star.accessToken))
        .send({ content: `Tweet ${i}` });
      posted.unshift(tweet.body.id as string);
    }
    await redis.del(keys.author(star.id)); // as after its time to live
    const first = await allPages(reader.accessToken, `/users/${star.id}/tweets`, 7);
    expect(first).to.deep.equal(posted);
    expect(await redis.zcard(keys.author(star.id))).to.equal(31); // 30 entries and the sentinel
    const cached = await allPages(reader.accessToken, `/users/${star.id}/tweets`, 7);
    expect(cached).to.deep.equal(posted);

    await api().delete(`/tweets/${posted[3]}`).set(bearer(star.accessToken)).expect(204);
    const fresh = await api()
      .post('/tweets')
      .set(bearer(star.accessToken))
      .send({ content: 'New' });
    const after = await allPages(reader.accessToken, `/users/${star.id}/tweets`, 7);
    expect(after).to.deep.equal([fresh.body.id, ...posted.filter((id) => id !== posted[3])]);
  });
});
