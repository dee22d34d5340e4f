import { expect } from 'chai';
import { redis } from '../../app/infra/redis';
import { keys } from '../../app/cache/keys';
import { User } from '../../models';
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

describe('GET /users/:id/tweets of a busy account', () => {
  it('is served from the author cache, reads like MySQL, and drops deleted tweets', async () => {
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
    const quiet = await allPages(reader.accessToken, `/users/${star.id}/tweets`, 7);
    expect(quiet).to.deep.equal(posted);
    expect(await redis.exists(keys.author(star.id))).to.equal(0); // quiet accounts read MySQL

    await User.update({ followersCount: 5000 }, { where: { id: star.id } });
    const busy = await allPages(reader.accessToken, `/users/${star.id}/tweets`, 7);
    expect(busy).to.deep.equal(posted);
    expect(await redis.zcard(keys.author(star.id))).to.equal(31); // 30 entries and the sentinel

    await api().delete(`/tweets/${posted[3]}`).set(bearer(star.accessToken)).expect(204);
    const fresh = await api()
      .post('/tweets')
      .set(bearer(star.accessToken))
      .send({ content: 'New' });
    const after = await allPages(reader.accessToken, `/users/${star.id}/tweets`, 7);
    expect(after).to.deep.equal([fresh.body.id, ...posted.filter((id) => id !== posted[3])]);
  });
});
