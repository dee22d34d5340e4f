import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { postTweet } from '../helpers/socialGraph';
import { TWEET_KEYS, UNKNOWN_ID, getTweet, readTweet } from './support';

/** The fields a 400 validation_failed answer names. */
const fieldsOf = (body: { errors?: { field: string }[] }) =>
  (body.errors ?? []).map((e) => e.field);

describe('POST /tweets', () => {
  let author: TestUser;
  before(async () => {
    author = await registerUser({ displayName: 'Ada Lovelace' });
  });

  const post = (body: unknown) =>
    api()
      .post('/tweets')
      .set(bearer(author.accessToken))
      .send(body as object);

  it('answers 201 with the tweet object of the contract, ids as strings', async () => {
    const before = Date.now();
    const response = await post({ content: 'Hello, Chirp!' }).expect(201);
    const tweet = response.body;
    expect(tweet).to.have.all.keys(TWEET_KEYS);
    expect(tweet.id)
      .to.be.a('string')
      .and.match(/^[1-9]\d*$/);
    expect(tweet.author).to.deep.equal({
      id: author.id,
      username: author.username,
      displayName: 'Ada Lovelace',
    });
    expect(tweet).to.include({
      content: 'Hello, Chirp!',
      likesCount: 0,
      retweetsCount: 0,
      repliesCount: 0,
      replyToId: null,
      liked: false,
      retweeted: false,
      bookmarked: false,
    });
    expect(new Date(tweet.createdAt).toISOString()).to.equal(tweet.createdAt);
    expect(Date.parse(tweet.createdAt)).to.be.within(before - 60_000, Date.now() + 60_000);
  });

  it('answers the same object on GET /tweets/:id', async () => {
    const created = await postTweet(author, 'read me back');
    expect(await readTweet(author, created.id)).to.deep.equal(created);
  });

  it('refuses a caller without a token with 401 unauthorized', async () => {
    const response = await api().post('/tweets').send({ content: 'anonymous' });
    expectProblem(response, 401, 'unauthorized');
  });

  describe('content', () => {
    it('accepts 280 astral characters (560 UTF-16 units) and stores them intact', async () => {
      const content = '🦄'.repeat(280);
      expect(content.length).to.equal(560);
      const created = await postTweet(author, content);
      expect(created.content).to.equal(content);
      const read = await readTweet(author, created.id);
      expect(Buffer.from(read.content, 'utf8').equals(Buffer.from(content, 'utf8'))).to.equal(true);
    });

    it('accepts 280 characters of mixed scripts and reads them back byte for byte', async () => {
      const content = ('aé€𝄞中😀' + ' ').repeat(40); // 7 code points × 40 = 280
      expect([...content]).to.have.length(280);
      const created = await postTweet(author, content);
      const read = await readTweet(author, created.id);
      expect(read.content).to.equal(content);
    });

    it('refuses 281 characters with 400 validation_failed naming body.content', async () => {
      for (const content of ['🦄'.repeat(281), 'a'.repeat(281)]) {
        const response = await post({ content });
        expectProblem(response, 400, 'validation_failed');
        expect(fieldsOf(response.body)).to.deep.equal(['body.content']);
      }
    });

    it("stores 'e' + U+0301 (combining acute) as the single character 'é' (NFC)", async () => {
      const created = await postTweet(author, 'caf' + 'e\u0301');
      expect(created.content).to.equal('caf\u00e9');
      expect((await readTweet(author, created.id)).content).to.equal('caf\u00e9');
    });

    it('counts characters after NFC: 280 decomposed é (560 code points) are accepted', async () => {
      const decomposed = 'e\u0301'.repeat(280);
      expect([...decomposed]).to.have.length(560);
      const created = await postTweet(author, decomposed);
      expect(created.content).to.equal('\u00e9'.repeat(280));
      const tooLong = await post({ content: 'e\u0301'.repeat(281) });
      expectProblem(tooLong, 400, 'validation_failed');
    });

    it('refuses empty and whitespace-only content', async () => {
      for (const content of ['', ' ', '   \n\t  ', '\u3000\u00a0']) {
        const response = await post({ content });
        expectProblem(response, 400, 'validation_failed');
        expect(fieldsOf(response.body), JSON.stringify(content)).to.deep.equal(['body.content']);
      }
    });

    it('refuses a body without content, listing body.content', async () => {
      const response = await post({});
      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).to.deep.equal(['body.content']);
    });

    it('does not count a refused tweet in tweetsCount', async () => {
      const user = await registerUser();
      await api().post('/tweets').set(bearer(user.accessToken)).send({ content: ' ' }).expect(400);
      await postTweet(user, 'one that counts');
      const profile = await api().get('/users/me').set(bearer(user.accessToken)).expect(200);
      expect(profile.body.tweetsCount).to.equal(1);
    });
  });

  describe('replies', () => {
    it("answers the reply with replyToId and counts it in the parent's repliesCount", async () => {
      const replier = await registerUser();
      const parent = await postTweet(author, 'a question?');
      const reply = await postTweet(replier, 'an answer', { replyToId: parent.id });
      expect(reply.replyToId).to.equal(parent.id);
      expect((await readTweet(replier, reply.id)).replyToId).to.equal(parent.id);
      expect((await readTweet(author, parent.id)).repliesCount).to.equal(1);

      await postTweet(author, 'and another', { replyToId: parent.id });
      expect((await readTweet(replier, parent.id)).repliesCount).to.equal(2);
    });

    it('refuses a reply to an unknown tweet with 404 not_found and posts nothing', async () => {
      const user = await registerUser();
      const response = await api()
        .post('/tweets')
        .set(bearer(user.accessToken))
        .send({ content: 'into the void', replyToId: UNKNOWN_ID });
      expectProblem(response, 404, 'not_found');
      const profile = await api().get('/users/me').set(bearer(user.accessToken)).expect(200);
      expect(profile.body.tweetsCount).to.equal(0);
    });

    it('refuses a non-numeric replyToId with 400 validation_failed naming body.replyToId', async () => {
      for (const replyToId of ['abc', '12abc', '-1', 12]) {
        const response = await post({ content: 'reply', replyToId });
        expectProblem(response, 400, 'validation_failed');
        // Only that field is named (the id check may list it more than once).
        expect(new Set(fieldsOf(response.body)), String(replyToId)).to.deep.equal(
          new Set(['body.replyToId']),
        );
      }
    });

    it('leaves the parent unchanged when the reply is refused', async () => {
      const parent = await postTweet(author, 'still no replies');
      await post({ content: '', replyToId: parent.id }).expect(400);
      expect((await getTweet(author, parent.id)).body.repliesCount).to.equal(0);
    });
  });
});
