import { expect } from 'chai';
import { createUsers } from '../helpers/factories';
import { api, bearer } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { engage, getPage, postTweet, readAllPages, type TweetBody } from '../helpers/socialGraph';

/** Lowercase ASCII letters no other test's tag uses, so each test reads only its own tweets. */
const freshLetters = () =>
  Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join(
    '',
  );

/** ASCII letters in their fullwidth forms (`ｃａｆｅ`), which NFKC folds back. */
const fullwidth = (text: string) =>
  [...text].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');

const tagPath = (tag: string) => `/hashtags/${encodeURIComponent(tag)}/tweets`;

const idsOf = (pages: TweetBody[][]) => pages.flat().map((tweet) => tweet.id);

describe('GET /hashtags/:tag/tweets', () => {
  it('lists tweets using the tag in any case or width, newest first, whichever form is asked', async () => {
    const [author, reader] = await createUsers(2);
    const word = freshLetters();
    // Fullwidth letters and a combining acute accent: NFKC makes it `café…` too.
    const wide = `${fullwidth('cafe')}\u0301${fullwidth(word)}`;
    const plain = await postTweet(author, `coffee at the #Café${word} this morning`);
    const upper = await postTweet(author, `#CAFÉ${word.toUpperCase()} again`);
    const wider = await postTweet(author, `#${wide}!`);
    await postTweet(author, `#cafe${word} has no accent: another tag`);
    for (const asked of [`café${word}`, `#CAFÉ${word.toUpperCase()}`, `#Cafe\u0301${word}`, wide]) {
      const page = await getPage<TweetBody>(reader, `${tagPath(asked)}?limit=10`);
      expect(
        page.data.map((tweet) => tweet.id),
        asked,
      ).to.deep.equal([wider.id, upper.id, plain.id]);
      expect(page.nextCursor).to.equal(null);
      expect(page.data[0].entities.hashtags.map((h) => h.tag)).to.deep.equal([`café${word}`]);
    }
  });

  it('pages through many tweets without skipping or repeating one, as new ones arrive', async () => {
    const [author, reader] = await createUsers(2);
    const tag = `page${freshLetters()}`;
    const posted: string[] = [];
    for (let i = 0; i < 7; i += 1) posted.push((await postTweet(author, `#${tag} ${i}`)).id);
    const first = await getPage<TweetBody>(reader, `${tagPath(tag)}?limit=2`);
    expect(first.data.map((t) => t.id)).to.deep.equal([posted[6], posted[5]]);
    // A newer tweet between pages: later pages continue below the cursor, unshifted.
    const late = await postTweet(author, `#${tag} late`);
    const rest = await readAllPages<TweetBody>(reader, tagPath(tag), 2, first.nextCursor);
    expect(rest.length).to.equal(3);
    expect([...first.data.map((t) => t.id), ...idsOf(rest)]).to.deep.equal([...posted].reverse());
    const again = await readAllPages<TweetBody>(reader, tagPath(tag), 3);
    expect(idsOf(again)).to.deep.equal([late.id, ...[...posted].reverse()]);
  });

  it('lists a tweet using the tag twice once, and never its retweets', async () => {
    const [author, fan, reader] = await createUsers(3);
    const tag = `twice${freshLetters()}`;
    const tweet = await postTweet(author, `#${tag} and #${tag.toUpperCase()} again`);
    await engage(fan, 'post', 'retweet', tweet.id);
    const page = await getPage<TweetBody>(reader, tagPath(tag));
    expect(page.data.map((t) => t.id)).to.deep.equal([tweet.id]);
    expect(page.data[0].retweetsCount).to.equal(1);
  });

  it('drops a deleted tweet from the list', async () => {
    const [author, reader] = await createUsers(2);
    const tag = `gone${freshLetters()}`;
    const kept = await postTweet(author, `#${tag} stays`);
    const removed = await postTweet(author, `#${tag} goes`);
    const deleted = await api().delete(`/tweets/${removed.id}`).set(bearer(author.accessToken));
    expect(deleted.status).to.equal(204);
    // Its row went with it: the first page holds the kept tweet, not an empty gap.
    const pages = await readAllPages<TweetBody>(reader, tagPath(tag), 1);
    expect(pages.map((page) => page.map((t) => t.id))).to.deep.equal([[kept.id]]);
  });

  it('answers an empty page for a valid tag nobody used', async () => {
    const [reader] = await createUsers(1);
    const page = await getPage<TweetBody>(reader, tagPath(`#unused${freshLetters()}`));
    expect(page).to.deep.equal({ data: [], nextCursor: null });
  });

  it('answers 400 naming params.tag for what could not be a hashtag', async () => {
    const [reader] = await createUsers(1);
    for (const bad of ['😀', '#😀🎉', '2024', '#', 'x'.repeat(101), 'two words', 'a-b', '#_']) {
      const response = await api().get(tagPath(bad)).set(bearer(reader.accessToken));
      expectProblem(response, 400, 'validation_failed');
      const errors = (response.body as { errors: { field: string }[] }).errors;
      expect(
        errors.map((e) => e.field),
        bad,
      ).to.deep.equal(['params.tag']);
    }
    // 100 letters is still a tag.
    const longest = await api()
      .get(tagPath('x'.repeat(100)))
      .set(bearer(reader.accessToken));
    expect(longest.status).to.equal(200);
  });

  it('refuses a cursor from another list and a request without a token', async () => {
    const [reader] = await createUsers(1);
    const foreign = Buffer.from('t1:1700000000000:5', 'utf8').toString('base64url');
    const response = await api()
      .get(`${tagPath('chirp')}?cursor=${foreign}`)
      .set(bearer(reader.accessToken));
    expectProblem(response, 400, 'validation_failed');
    expectProblem(await api().get(tagPath('chirp')), 401, 'unauthorized');
  });
});
