/**
 * Mentions (`@name`) and hashtags (`#tag`) in a tweet's content, with offsets in Unicode code
 * points of the content (the unit of the 280 limit), `start` inclusive and `end` exclusive.
 *
 * - A mention is `@` and a name of the username rule (3-15 of `A-Z a-z 0-9 _`), not preceded
 *   by a word character or `@` (`a@b.c` is an address, not a mention) and not followed by a
 *   word character or `@` (`@ada_lovelace_countess` is too long to be a name, `@ada@host` is
 *   another server's account). It lists only when the name is an existing user's
 *   (`resolveEntities`); otherwise it is plain text.
 * - A hashtag is `#` and 1-100 letters, digits, combining marks and `_` of any script, not
 *   preceded by a word character or `#` (`##x` and `a#b` are no tags), with at least one
 *   letter (`#123` is a number, not a tag), and not longer than 100 code points (a longer run
 *   is no tag at all, as a 16-character `@name` is no mention). Its `tag` is the run
 *   normalised NFKC and lowercased, so `#Café`, `#CAFÉ` and `#ｃａｆｅ́` meet.
 *
 * Anything else (punctuation, emoji, spaces) ends a name or a tag.
 */

/** A character that continues a word: letters, combining marks, digits, `_` in any script. */
const WORD = /^[\p{L}\p{M}\p{N}_]$/u;
const NAME_CHAR = /^[A-Za-z0-9_]$/;
const LETTER = /\p{L}/u;

export const MIN_NAME = 3;
export const MAX_NAME = 15;
export const MAX_TAG = 100;

export interface MentionSpan {
  /** The name as written (any case). */
  name: string;
  start: number;
  end: number;
}

export interface HashtagSpan {
  tag: string;
  start: number;
  end: number;
}

export interface ParsedEntities {
  mentions: MentionSpan[];
  hashtags: HashtagSpan[];
}

/** A mentioned account as a tweet's JSON lists it. */
export interface MentionEntity {
  id: string;
  username: string;
  start: number;
  end: number;
}

export interface Entities {
  mentions: MentionEntity[];
  hashtags: HashtagSpan[];
}

/** The accounts of mentioned names, by lowercased name (the `username_key`). */
export type MentionDirectory = Map<string, { id: string; username: string }>;

const isWord = (c: string | undefined) => c !== undefined && WORD.test(c);

/** The end of the run of characters matching `test` from `from` (exclusive). */
function runEnd(chars: string[], from: number, test: (c: string) => boolean): number {
  let end = from;
  while (end < chars.length && test(chars[end])) end += 1;
  return end;
}

/**
 * The tag a run of word characters after `#` makes (NFKC, lowercased), or null when the run
 * is no tag: empty, longer than MAX_TAG code points (before or after NFKC), without a letter,
 * or starting with a combining mark.
 */
function tagOfRun(run: string): string | null {
  const length = [...run].length;
  const tag = run.normalize('NFKC').toLowerCase();
  const fits = length >= 1 && length <= MAX_TAG && [...tag].length <= MAX_TAG;
  return fits && LETTER.test(tag) && !/^[\p{M}]/u.test(run) ? tag : null;
}

/**
 * A tag as a client names it (`Café`, `#CAFÉ`), normalised by the parser's rule so that it
 * meets the tags the parser stored; null when the parser would not take it as a tag.
 */
export function normalizeTag(raw: string): string | null {
  const run = raw.startsWith('#') ? raw.slice(1) : raw;
  return [...run].every(isWord) ? tagOfRun(run) : null;
}

/** Every `@name` and `#tag` of `content` in order, mentions not yet resolved to accounts. */
export function parseEntities(content: string): ParsedEntities {
  const chars = [...content];
  const mentions: MentionSpan[] = [];
  const hashtags: HashtagSpan[] = [];
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i];
    if (c !== '@' && c !== '#') continue;
    const before = chars[i - 1];
    if (isWord(before) || before === c) continue;
    if (c === '@') {
      const end = runEnd(chars, i + 1, (x) => NAME_CHAR.test(x));
      const length = end - i - 1;
      const after = chars[end];
      if (length < MIN_NAME || length > MAX_NAME || isWord(after) || after === '@') continue;
      mentions.push({ name: chars.slice(i + 1, end).join(''), start: i, end });
      i = end - 1;
    } else {
      const end = runEnd(chars, i + 1, isWord);
      const tag = tagOfRun(chars.slice(i + 1, end).join(''));
      if (tag !== null) hashtags.push({ tag, start: i, end });
      if (end > i + 1) i = end - 1;
    }
  }
  return { mentions, hashtags };
}

/**
 * What a tweet's stored entities are made from: the distinct lowercased names `content`
 * mentions (the `username_key`s to look up) and its distinct tags, each in order of first
 * use.
 */
export function entityKeys(content: string): { names: string[]; tags: string[] } {
  const { mentions, hashtags } = parseEntities(content);
  return {
    names: [...new Set(mentions.map((m) => m.name.toLowerCase()))],
    tags: [...new Set(hashtags.map((h) => h.tag))],
  };
}

/** A tweet's entities: its mentions of existing accounts (from `directory`) and its hashtags. */
export function resolveEntities(content: string, directory: MentionDirectory): Entities {
  const { mentions, hashtags } = parseEntities(content);
  const resolved: MentionEntity[] = [];
  for (const { name, start, end } of mentions) {
    const account = directory.get(name.toLowerCase());
    if (account) resolved.push({ id: account.id, username: account.username, start, end });
  }
  return { mentions: resolved, hashtags };
}
