import { expect } from 'chai';
import { entityKeys, normalizeTag, parseEntities, resolveEntities } from '../../app/text/entities';

const tags = (content: string) => parseEntities(content).hashtags;
const names = (content: string) => parseEntities(content).mentions;
/** The text a span covers, cut by code points as a client would. */
const cut = (content: string, { start, end }: { start: number; end: number }) =>
  [...content].slice(start, end).join('');

describe('tweet entities (parser)', () => {
  it('finds mentions and hashtags with code-point offsets', () => {
    const content = 'hi @ada_l, see #Chirp!';
    const { mentions, hashtags } = parseEntities(content);
    expect(mentions).to.deep.equal([{ name: 'ada_l', start: 3, end: 9 }]);
    expect(hashtags).to.deep.equal([{ tag: 'chirp', start: 15, end: 21 }]);
    expect(cut(content, mentions[0])).to.equal('@ada_l');
    expect(cut(content, hashtags[0])).to.equal('#Chirp');
  });

  it('counts an emoji before an entity as one code point', () => {
    const content = '😀👍🏽 @bob #tag';
    expect(names(content)).to.deep.equal([{ name: 'bob', start: 4, end: 8 }]);
    expect(tags(content)).to.deep.equal([{ tag: 'tag', start: 9, end: 13 }]);
    expect(cut(content, tags(content)[0])).to.equal('#tag');
  });

  it('ends a tag or a name at an emoji, punctuation or space', () => {
    expect(tags('#hello😀')).to.deep.equal([{ tag: 'hello', start: 0, end: 6 }]);
    expect(tags('#a.b #c, #d! #e?')).to.deep.equal([
      { tag: 'a', start: 0, end: 2 },
      { tag: 'c', start: 5, end: 7 },
      { tag: 'd', start: 9, end: 11 },
      { tag: 'e', start: 13, end: 15 },
    ]);
    expect(names("@bob's @cat. (@dan)")).to.deep.equal([
      { name: 'bob', start: 0, end: 4 },
      { name: 'cat', start: 7, end: 11 },
      { name: 'dan', start: 14, end: 18 },
    ]);
  });

  it('keeps combining marks inside a tag and normalises it NFKC, lowercase', () => {
    const decomposed = '#Cafe\u0301 x';
    expect(tags(decomposed)).to.deep.equal([{ tag: 'café', start: 0, end: 6 }]);
    expect(tags('#ＣＡＦＥ')[0].tag).to.equal('cafe');
    expect(tags('#हिन्दी')[0]).to.deep.equal({ tag: 'हिन्दी', start: 0, end: 7 });
    expect(tags('#Ελληνικά #日本語 #x_1')).to.deep.include.members([
      { tag: 'ελληνικά', start: 0, end: 9 },
      { tag: '日本語', start: 10, end: 14 },
      { tag: 'x_1', start: 15, end: 19 },
    ]);
  });

  it('is no tag for digits only, an empty #, ## or # inside a word', () => {
    expect(tags('#123 #2024 # alone ##x a#b #')).to.deep.equal([]);
    expect(tags('#1st #_2a')).to.deep.equal([
      { tag: '1st', start: 0, end: 4 },
      { tag: '_2a', start: 5, end: 9 },
    ]);
    expect(tags('#😀 #\u0301a')).to.deep.equal([]);
  });

  it('takes tags of 1-100 code points, and no tag at all for a longer run', () => {
    expect(tags(`#${'a'.repeat(100)}`)).to.have.length(1);
    expect(tags(`#${'a'.repeat(101)}`)).to.deep.equal([]);
    expect(tags('#x')).to.deep.equal([{ tag: 'x', start: 0, end: 2 }]);
  });

  it('is no mention inside an address, after @, or for a name outside 3-15 characters', () => {
    expect(names('mail a@bob.com or x@@bob')).to.deep.equal([]);
    expect(names('@ab @abcdefghijklmnop @ada@example.org @')).to.deep.equal([]);
    expect(names('@abcdefghijklmno')).to.deep.equal([
      { name: 'abcdefghijklmno', start: 0, end: 16 },
    ]);
    expect(names('@bobé')).to.deep.equal([]);
    expect(names('.@bob')).to.deep.equal([{ name: 'bob', start: 1, end: 5 }]);
  });

  it('answers each mentioned name once, lowercased, in order of first mention', () => {
    expect(entityKeys('@Bob @ada @BOB @cat').names).to.deep.equal(['bob', 'ada', 'cat']);
  });

  it('answers each tag once, normalised, in order of first use', () => {
    expect(entityKeys('#Café #b #CAFÉ #a').tags).to.deep.equal(['café', 'b', 'a']);
  });

  it('lists only mentions of known accounts, each occurrence, with their own spelling', () => {
    const directory = new Map([['bob', { id: '7', username: 'Bob' }]]);
    expect(resolveEntities('@bob and @nobody and @BOB #x', directory)).to.deep.equal({
      mentions: [
        { id: '7', username: 'Bob', start: 0, end: 4 },
        { id: '7', username: 'Bob', start: 21, end: 25 },
      ],
      hashtags: [{ tag: 'x', start: 26, end: 28 }],
    });
    expect(resolveEntities('plain text', new Map())).to.deep.equal({ mentions: [], hashtags: [] });
  });
});

describe('normalizeTag (a tag as a client names it)', () => {
  it('meets the tag the parser stores, with or without #, in any case or width', () => {
    for (const written of ['#Café', '#CAFÉ', '#ｃａｆｅ\u0301', '#cafe\u0301']) {
      expect(normalizeTag(written), written).to.equal(tags(written)[0].tag);
      expect(normalizeTag(written.slice(1)), written.slice(1)).to.equal('café');
    }
  });

  it('is null for what the parser would not take as a whole tag', () => {
    for (const bad of [
      '',
      '#',
      '##x',
      '😀',
      '2024',
      '_',
      'a b',
      'a-b',
      '\u0301a',
      'x'.repeat(101),
    ]) {
      expect(normalizeTag(bad), bad).to.equal(null);
    }
    expect(normalizeTag('x'.repeat(100))).to.equal('x'.repeat(100));
  });
});
