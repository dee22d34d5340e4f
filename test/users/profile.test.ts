import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { processRepair } from '../../workers/repair';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import {
  UNKNOWN_ID,
  engage,
  follow,
  getPage,
  getUser,
  postTweet,
  type TweetBody,
  type UserBody,
} from '../helpers/socialGraph';

const patchMe = (user: TestUser, body: unknown) =>
  api()
    .patch('/users/me')
    .set(bearer(user.accessToken))
    .send(body as object);

/** A home or author timeline item: a tweet, or a retweet entry with its tweet inside. */
type Item = TweetBody & {
  type?: 'retweet';
  retweetedBy?: TweetBody['author'];
  tweet?: TweetBody;
};

describe('GET /users/:id', () => {
  it('shows a user with their counters and whether the viewer follows them', async () => {
    const viewer = await registerUser();
    const shown = await registerUser({ displayName: 'Grace Hopper' });

    const before = await getUser(viewer, shown.id);
    expect(before).to.have.all.keys(
      'id',
      'username',
      'displayName',
      'bio',
      'createdAt',
      'followersCount',
      'followingCount',
      'tweetsCount',
      'following',
      'blocking',
      'muting',
    );
    expect(before).to.deep.include({
      id: shown.id,
      username: shown.username,
      displayName: 'Grace Hopper',
      bio: '',
      followersCount: 0,
      followingCount: 0,
      tweetsCount: 0,
      following: false,
    });
    expect(new Date(before.createdAt).toISOString()).to.equal(before.createdAt);

    await follow(viewer, shown);
    await postTweet(shown, 'counted on my profile');

    expect(await getUser(viewer, shown.id)).to.include({
      followersCount: 1,
      followingCount: 0,
      tweetsCount: 1,
      following: true,
    });
    // The relation is the viewer's: the followed user does not follow back.
    expect(await getUser(shown, viewer.id)).to.include({
      followersCount: 0,
      followingCount: 1,
      following: false,
    });
  });

  it('answers 404 not_found for an id no user has', async () => {
    const viewer = await registerUser();
    const response = await api().get(`/users/${UNKNOWN_ID}`).set(bearer(viewer.accessToken));
    expectProblem(response, 404, 'not_found');
  });

  it('answers 404 not_found for ids that cannot name a user', async () => {
    const viewer = await registerUser();
    for (const id of ['abc', '12abc', '0', '-1', '1.5', '99999999999999999999999']) {
      const response = await api().get(`/users/${id}`).set(bearer(viewer.accessToken));
      expect(response.status, id).to.equal(404);
      expectProblem(response, 404, 'not_found');
    }
  });

  it('answers 401 unauthorized without a token', async () => {
    const user = await registerUser();
    expectProblem(await api().get(`/users/${user.id}`), 401, 'unauthorized');
    expectProblem(
      await api().get(`/users/${user.id}`).set(bearer('not-a-token')),
      401,
      'unauthorized',
    );
  });
});

describe('PATCH /users/me', () => {
  it('changes the display name and bio, answers the user as GET /users/me shows them', async () => {
    const user = await registerUser({ displayName: 'Old Name' });
    const response = await patchMe(user, { displayName: '  Ada L.  ', bio: 'Engines.\nNotes.' });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body).to.deep.include({
      id: user.id,
      username: user.username,
      displayName: 'Ada L.',
      bio: 'Engines.\nNotes.',
    });
    const me = await api().get('/users/me').set(bearer(user.accessToken)).expect(200);
    expect(me.body).to.deep.equal(response.body);

    // One field leaves the other as it was; an empty bio clears it.
    const bioOnly = await patchMe(user, { bio: '' });
    expect(bioOnly.status).to.equal(200);
    expect(bioOnly.body).to.include({ displayName: 'Ada L.', bio: '' });
    const nameOnly = await patchMe(user, { displayName: 'Ada' });
    expect(nameOnly.body).to.include({ displayName: 'Ada', bio: '' });
    // The same change again is no error.
    expect((await patchMe(user, { displayName: 'Ada' })).body).to.include({ displayName: 'Ada' });
  });

  it('refuses unknown fields, an empty body, and names or bios the rules refuse, with 400', async () => {
    const user = await registerUser({ displayName: 'Kept' });
    const refused: unknown[] = [
      {},
      { username: 'renamed' },
      { displayName: 'Fine', admin: true },
      { displayName: '   ' },
      { displayName: 'x'.repeat(51) },
      { displayName: 'evil\u202Ename' },
      { displayName: 7 },
      { bio: 'b'.repeat(161) },
      { bio: 'zero\u200Bwidth' },
      { bio: null },
    ];
    for (const body of refused) {
      const response = await patchMe(user, body);
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors, JSON.stringify(body)).to.be.an('array').that.is.not.empty;
    }
    expectProblem(
      await api()
        .patch('/users/me')
        .set(bearer(user.accessToken))
        .set('Content-Type', 'application/json')
        .send('{"displayName":'),
      400,
      'malformed_json',
    );
    // 50 code points are allowed even where they take more UTF-16 units.
    const emoji = '🦄'.repeat(50);
    expect((await patchMe(user, { displayName: emoji })).body).to.include({ displayName: emoji });
    expect((await api().get('/users/me').set(bearer(user.accessToken))).body.bio).to.equal('');
  });

  it('answers 401 unauthorized without a token', async () => {
    expectProblem(await api().patch('/users/me').send({ bio: 'x' }), 401, 'unauthorized');
  });

  it("shows a new display name at once in followers' cached timelines, tweets, notifications", async () => {
    const author = await registerUser({ displayName: 'Before Name' });
    const reader = await registerUser();
    const other = await registerUser({ displayName: 'Someone Else' });
    const own = await postTweet(author, 'my own words');
    const others = await postTweet(other, 'worth a retweet');
    await engage(author, 'post', 'retweet', others.id);
    await follow(reader, author);
    await engage(reader, 'post', 'like', own.id); // notifies the author, with their tweet

    const home = async () => (await getPage<Item>(reader, '/tweets')).data;
    const authorTimeline = async () =>
      (await getPage<Item>(reader, `/users/${author.id}/tweets`)).data;
    const named = (items: Item[]) =>
      items.map((item) =>
        item.type === 'retweet'
          ? `rt by ${item.retweetedBy?.displayName}`
          : item.author.displayName,
      );
    // Read twice: the second read is served from the cached records.
    await home();
    await authorTimeline();
    expect(named(await home())).to.deep.equal(['rt by Before Name', 'Before Name']);
    expect(await redis.exists(keys.tweet(own.id))).to.equal(1);

    const changed = await patchMe(author, { displayName: 'After Name' });
    expect(changed.status).to.equal(200);

    expect(named(await home())).to.deep.equal(['rt by After Name', 'After Name']);
    expect(named(await authorTimeline())).to.deep.equal(['rt by After Name', 'After Name']);
    const tweet = await api().get(`/tweets/${own.id}`).set(bearer(reader.accessToken)).expect(200);
    expect(tweet.body.author).to.deep.equal({
      id: author.id,
      username: author.username,
      displayName: 'After Name',
    });
    const notifications = await getPage<{ type: string; tweet: TweetBody | null }>(
      author,
      '/notifications',
    );
    const like = notifications.data.find((n) => n.type === 'like');
    expect(like?.tweet?.author.displayName).to.equal('After Name');
    // Someone else's tweet inside the retweet entry keeps its own author.
    const [retweet] = await home();
    expect(retweet.tweet?.author.displayName).to.equal('Someone Else');
  });

  it("leaves cached tweets alone when the name stays, and the repair job drops an author's records", async () => {
    const author = await registerUser({ displayName: 'Same' });
    const posted = await postTweet(author, 'cached');
    await api().get(`/tweets/${posted.id}`).set(bearer(author.accessToken)).expect(200);
    expect(await redis.exists(keys.tweet(posted.id))).to.equal(1);

    expect((await patchMe(author, { bio: 'only the bio' })).status).to.equal(200);
    expect((await patchMe(author, { displayName: 'Same' })).status).to.equal(200);
    expect(await redis.exists(keys.tweet(posted.id))).to.equal(1);

    // What a worker does when the API node could not reach Redis after the change.
    await processRepair({
      kind: 'repair',
      tweetIds: [],
      userIds: [],
      authUserIds: [],
      tweetAuthorIds: [author.id],
    });
    expect(await redis.exists(keys.tweet(posted.id))).to.equal(0);
  });
});

describe('GET /users/by-username/:username', () => {
  it('answers the same user as GET /users/:id, in any case of the name', async () => {
    const viewer = await registerUser();
    const shown = await registerUser({ displayName: 'Found Me' });
    await follow(viewer, shown);
    const byId = await getUser(viewer, shown.id);
    for (const name of [shown.username, shown.username.toUpperCase()]) {
      const response = await api()
        .get(`/users/by-username/${name}`)
        .set(bearer(viewer.accessToken));
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      expect(response.body as UserBody).to.deep.equal(byId);
      expect(response.body.following).to.equal(true);
    }
  });

  it('answers 404 not_found for an unknown name and for names no user can have', async () => {
    const viewer = await registerUser();
    for (const name of ['nobody_here_x', 'ab', 'a'.repeat(16), 'bad-name', '%20space']) {
      const response = await api()
        .get(`/users/by-username/${name}`)
        .set(bearer(viewer.accessToken));
      expectProblem(response, 404, 'not_found');
    }
  });

  it('answers 401 unauthorized without a token', async () => {
    const user = await registerUser();
    expectProblem(await api().get(`/users/by-username/${user.username}`), 401, 'unauthorized');
  });
});
