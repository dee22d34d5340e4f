import { expect } from 'chai';
import { type HydratedBytes, renderPage } from '../../app/tweets/cache';
import { assembleTweet, pageJson, type TweetPieces } from '../../app/tweets/presenter';

/** A cached record as the tweet cache writes it: `version|likes|retweets|replies|retweetOf|prefix`. */
const record = (pieces: TweetPieces) =>
  Buffer.from(
    [1, pieces.likes, pieces.retweets, pieces.replies, pieces.retweetOf ?? '', pieces.prefix].join(
      '|',
    ),
  );

const tweet = (id: string, content: string, flags: [boolean, boolean, boolean]): TweetPieces => ({
  id,
  prefix: `{"id":"${id}","author":{"id":"7","username":"ada","displayName":"Ada | 🦄"},"content":${JSON.stringify(content)}`,
  likes: Number(id) % 5,
  retweets: 2,
  replies: 11,
  retweetOf: null,
  flags: { liked: flags[0], retweeted: flags[1], bookmarked: flags[2] },
});

const retweetOf = (id: string, original: TweetPieces): TweetPieces => ({
  id,
  prefix: `{"id":"${id}","type":"retweet","retweetedBy":{"id":"8","username":"bob","displayName":"Bob"}`,
  likes: 0,
  retweets: 0,
  replies: 0,
  retweetOf: original.id,
  flags: { liked: false, retweeted: false, bookmarked: false },
});

/** What the hydrate script answers for `entries` (a page) and `extra` (originals off the page). */
function hydrated(entries: TweetPieces[], extra: TweetPieces[] = []): HydratedBytes {
  const all = [...entries, ...extra];
  return [
    all.map((p) => Buffer.from(p.id)),
    all.map(record),
    (['liked', 'retweeted', 'bookmarked'] as const).map((flag) =>
      all.map((p) => (p.flags[flag] ? 1 : 0)),
    ),
  ];
}

describe('A warm home page rendered from the cached records', () => {
  it('answers what assembleTweet makes of the same pieces, retweets and every flag included', () => {
    const first = tweet('105', 'with "quotes", | pipes and ünïcödé 🦄', [true, false, true]);
    const second = tweet('103', 'plain', [false, true, false]);
    const offPage = tweet('90', 'an original off the page', [true, true, true]);
    const page = [retweetOf('110', first), first, retweetOf('104', offPage), second];
    const byId = new Map([...page, offPage].map((p) => [p.id, p]));
    const expected = pageJson(
      page.map((p) => assembleTweet(p, byId)!),
      'bmV4dA',
    );

    const rendered = renderPage(page.length, hydrated(page, [offPage]), 'bmV4dA');

    expect(rendered?.toString('utf8')).to.equal(expected);
    const { data } = JSON.parse(expected) as { data: { tweet?: object }[] };
    expect(data[2].tweet).to.include({ id: '90', bookmarked: true });
  });

  it('renders only the first `count` entries (not the one read to see if more follow)', () => {
    const page = [tweet('3', 'c', [false, false, false]), tweet('2', 'b', [true, true, true])];
    expect(renderPage(1, hydrated(page), null)?.toString()).to.equal(
      pageJson([assembleTweet(page[0], new Map())!], null),
    );
    expect(renderPage(0, [[], [], []], null)?.toString()).to.equal(pageJson([], null));
  });

  it('answers null, for the path that fills the caches, when any piece is not cached', () => {
    const original = tweet('5', 'original', [false, false, false]);
    const page = [retweetOf('9', original), tweet('8', 'x', [false, false, false])];
    const recordMissing = hydrated(page, [original]);
    recordMissing[1][1] = null;
    const originalMissing = hydrated(page, [original]);
    originalMissing[1][2] = null;
    const flagsMissing = hydrated(page, [original]);
    flagsMissing[2] = [];
    const malformed = ['not a record', '1|2|3||', '1|2|x|4||{}', '1|2|3|4|5'].map((text) => {
      const answer = hydrated(page, [original]);
      answer[1][1] = Buffer.from(text);
      return answer;
    });

    for (const answer of [recordMissing, originalMissing, flagsMissing, ...malformed]) {
      expect(renderPage(page.length, answer, null)).to.equal(null);
    }
    expect(renderPage(page.length, hydrated(page, [original]), null)).to.be.instanceOf(Buffer);
  });
});
