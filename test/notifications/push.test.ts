import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { notificationForPush } from '../../app/notifications/service';
import { createTweet, createUsers } from '../helpers/factories';
import { api, bearer } from '../helpers/http';
import { engage, notificationsOf } from '../helpers/socialGraph';

describe('the realtime push of a notification', () => {
  it('shows the counters its own action moved, even before the cache has them', async () => {
    const [author, fan] = await createUsers(2);
    const tweetId = await createTweet(author, 'like me');
    // Read once, so the tweet's record (likesCount 0) is cached.
    const read = await api().get(`/tweets/${tweetId}`).set(bearer(author.accessToken));
    expect(read.body.likesCount).to.equal(0);
    const before = await redis.get(keys.tweet(tweetId));
    expect(before, 'the cached record').to.be.a('string');

    await engage(fan, 'post', 'like', tweetId);
    // The push job can run before the liking node's cache upkeep lands: put the cache back
    // as it was at that moment.
    await redis.set(keys.tweet(tweetId), before!, 'EX', 600);

    const [listed] = await notificationsOf(author);
    const push = await notificationForPush(listed.id);
    expect(push?.userId).to.equal(author.id);
    expect(push?.notification.tweet).to.deep.include({ id: tweetId, likesCount: 1 });
  });
});
