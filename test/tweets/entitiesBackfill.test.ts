import { expect } from 'chai';
import { sequelize } from '../../app/infra/db';
import { hashtagTweetIds } from '../../app/records/hashtags';
import { mentionsOfTweets } from '../../app/records/tweetMentions';
import { backfillTweetEntities } from '../../migrations/20261202000009-tweet-entities';
import { createTweet, createUsers } from '../helpers/factories';

/**
 * Tweets written before entities were stored (the factory writes rows as such a tweet was:
 * no tweet_mentions or tweet_hashtags rows) get them from the migration's backfill.
 */
describe('the tweet entities backfill (migration 20261202000009)', () => {
  it('stores the mentions of existing accounts and the tags of tweets that had none', async () => {
    const [author, mentioned] = await createUsers(2);
    const tag = `backfill${Date.now().toString(36)}`;
    const id = await createTweet(
      author,
      `old news for @${mentioned.username.toUpperCase()} and @nosuchuser_x #${tag} #${tag.toUpperCase()}`,
    );
    expect(await hashtagTweetIds(tag, undefined, 5)).to.deep.equal([]);

    await backfillTweetEntities(sequelize);
    // Run twice, as a migration retried after a crash would: rows are kept, not doubled.
    await backfillTweetEntities(sequelize);

    expect(await hashtagTweetIds(tag, undefined, 5)).to.deep.equal([id]);
    const mentions = await mentionsOfTweets([id]);
    expect(mentions.map((m) => m.userId)).to.deep.equal([mentioned.id]);
  });
});
