import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { viewerSetsVersion } from '../../app/cache/viewerSets';
import { writeViewerSets } from '../../app/tweets/cache';
import { cacheRedis } from '../../app/infra/redis';
import { api, bearer, registerUser } from '../helpers/http';
import { postTweet } from '../helpers/socialGraph';

/*
 * A viewer's flag sets are filled from MySQL when missing. A fill that read MySQL before a
 * like committed, and wrote after it, left the sets without that like for their whole day:
 * the like's own update found no set to add itself to. Seen in CI (fresh clone, loaded
 * machine): a home timeline rebuilt after a flush showed a liked tweet `liked: false` (a
 * notification push, run after the commit of an earlier like, filled the recipient's sets
 * late). Here the late write is made by hand, after the like, with what MySQL held before it.
 */
describe('viewer-flag sets filled from MySQL while the viewer acts', () => {
  it('keeps a like made between a fill’s read and its write', async () => {
    const [author, viewer] = [await registerUser(), await registerUser()];
    const tweet = await postTweet(author, 'like me while my sets are missing');
    await cacheRedis.del(...keys.viewerFlags(viewer.id));
    const version = await viewerSetsVersion(viewer.id); // the fill starts: marker, then MySQL
    const readBeforeTheLike = {
      liked: new Set<string>(),
      retweeted: new Set<string>(),
      bookmarked: new Set<string>(),
    };

    await api().post(`/tweets/${tweet.id}/like`).set(bearer(viewer.accessToken)).expect(200);
    await writeViewerSets(viewer.id, readBeforeTheLike, version); // the fill's late write

    const { body } = await api().get(`/tweets/${tweet.id}`).set(bearer(viewer.accessToken));
    expect(body).to.include({ id: tweet.id, liked: true, likesCount: 1 });
  });

  it('fills the sets when nothing changed since the read began, even after earlier changes', async () => {
    const [author, viewer] = [await registerUser(), await registerUser()];
    const tweet = await postTweet(author, 'liked before the fill began');
    await cacheRedis.del(...keys.viewerFlags(viewer.id));
    await api().post(`/tweets/${tweet.id}/like`).set(bearer(viewer.accessToken)).expect(200);
    const version = await viewerSetsVersion(viewer.id);
    expect(version, 'the like raised the marker').to.equal('1');
    await writeViewerSets(
      viewer.id,
      { liked: new Set(['7', tweet.id]), retweeted: new Set(), bookmarked: new Set() },
      version,
    );
    expect(await cacheRedis.smembers(keys.liked(viewer.id))).to.have.members(['0', '7', tweet.id]);
    expect(await cacheRedis.ttl(keys.liked(viewer.id))).to.be.greaterThan(0);
  });
});
