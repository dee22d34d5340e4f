import { expect } from 'chai';
import type { TestUser } from '../helpers/http';
import { api, bearer, registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { createTweet, createUsers } from '../helpers/factories';
import { UNKNOWN_ID, engage, getPage, postTweet, readAllPages } from '../helpers/socialGraph';

/** A list item: a tweet, or a retweet entry with the original inside. */
interface Item {
  id: string;
  type?: 'retweet';
  author?: { id: string };
  retweetedBy?: { id: string };
  content?: string;
  tweet?: { id: string; author: { id: string } };
}

describe('GET /users/:id/tweets', () => {
  let author: TestUser;
  let other: TestUser;
  let retweeted: string;
  /** What the author's list should show, newest first: tweet contents or `rt:<original id>`. */
  let expected: string[];

  before(async () => {
    // Written directly (test/helpers/factories.ts), but for the retweet: this is about listing.
    [author, other] = await createUsers(2);
    const written: string[] = [];
    const write = async (i: number) => {
      await createTweet(author, `tweet ${i}`);
      written.push(`tweet ${i}`);
    };
    for (let i = 0; i < 15; i += 1) await write(i);
    retweeted = await createTweet(other, 'worth a retweet');
    await engage(author, 'post', 'retweet', retweeted);
    written.push(`rt:${retweeted}`);
    await createTweet(other, 'not the author: never listed');
    for (let i = 15; i < 29; i += 1) await write(i);
    expected = written.reverse();
  });

  const describeItem = (item: Item) =>
    item.type === 'retweet' ? `rt:${item.tweet!.id}` : item.content!;

  it("pages the user's 29 tweets and 1 retweet newest first, 7 at a time, without repeats or gaps", async () => {
    const pages = await readAllPages<Item>(other, `/users/${author.id}/tweets`, 7);
    expect(pages.map((page) => page.length)).to.deep.equal([7, 7, 7, 7, 2]);
    const items = pages.flat();
    expect(items.map(describeItem)).to.deep.equal(expected);
    expect(new Set(items.map((item) => item.id)).size).to.equal(30);
    for (const item of items) {
      if (item.type === 'retweet') {
        expect(item.retweetedBy!.id).to.equal(author.id);
        expect(item.tweet!.author.id).to.equal(other.id);
      } else {
        expect(item.author!.id).to.equal(author.id);
      }
    }
  });

  it('neither repeats nor shifts items when the user tweets between page reads', async () => {
    const first = await getPage<Item>(other, `/users/${author.id}/tweets?limit=7`);
    const late = await postTweet(author, 'posted while someone was reading');
    const rest = await readAllPages<Item>(other, `/users/${author.id}/tweets`, 7, first.nextCursor);
    expect([...first.data, ...rest.flat()].map(describeItem)).to.deep.equal(expected);
    const fresh = await getPage<Item>(other, `/users/${author.id}/tweets?limit=1`);
    expect(fresh.data.map(describeItem)).to.deep.equal([late.content]);
  });

  it('refuses a bad limit with 400 validation_failed', async () => {
    for (const limit of ['0', '101', 'ten']) {
      const response = await api()
        .get(`/users/${author.id}/tweets?limit=${limit}`)
        .set(bearer(other.accessToken));
      expectProblem(response, 400, 'validation_failed');
    }
  });

  it('answers an empty page for a user who never tweeted', async () => {
    const quiet = await registerUser();
    const page = await getPage<Item>(other, `/users/${quiet.id}/tweets`);
    expect(page).to.deep.equal({ data: [], nextCursor: null });
  });

  it('answers 404 not_found for an unknown or impossible user id', async () => {
    for (const id of [UNKNOWN_ID, 'abc']) {
      const response = await api().get(`/users/${id}/tweets`).set(bearer(other.accessToken));
      expectProblem(response, 404, 'not_found');
    }
  });
});
