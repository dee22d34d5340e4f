import { insertLikesBulk } from '../app/records/likes';
import { insertTweetsBulk } from '../app/records/tweets';
import {
  distinctPicks,
  logNormalWeights,
  permutation,
  splitTotal,
  uniformIndex,
  zipfPicker,
} from './graph';
import type { BulkEntities, PostedPost } from './bulkEntities';
import type { World } from './bulkUsers';
import type { IdRange } from './counters';
import { BatchWriter, RowBuffer, autoIncrementStep, insertedBlock, sqlDate } from './sql';

type Kind = 'original' | 'reply' | 'retweet';

/** Shares of the tweets that are replies and retweets; the rest are original posts. */
const REPLY_SHARE = 0.1;
const RETWEET_SHARE = 0.1;
/** Authors post with probability ∝ 1/rank^0.8: busy accounts, and many quiet ones. */
const AUTHOR_EXPONENT = 0.8;
/** A few posts draw most likes (∝ 1/rank). */
const LIKED_EXPONENT = 1.0;
const TWEET_BATCH = 2000;
const LIKE_BATCH = 5000;
/** Tweets are dated across the last 30 days, in id order. */
const SPAN_MS = 30 * 86_400_000;

const WORDS = (
  'the a of to and in is on for with that this it at by from just new today why how what ' +
  'code ship build test deploy queue cache redis mysql node latency timeline tweet follow ' +
  'coffee morning night weekend team release bug fix feature idea thread question answer ' +
  'great small fast slow simple hard love think read write learn try again finally maybe'
).split(' ');

/**
 * A sentence of 4-16 words from a list of plain ASCII words (nothing to escape), some with
 * `@name`s among the words and `#tags` after the full stop: at most 16 × 8 + 15 + 1 + 3 ×
 * 15 + 2 × 16 = 221 code points, well within a tweet.
 */
function sentence(random: () => number, entities: BulkEntities): string {
  const count = 4 + uniformIndex(random, 13);
  const words = Array.from({ length: count }, () => WORDS[uniformIndex(random, WORDS.length)]);
  const text = entities.withMentions(words).join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.${entities.tags()}`;
}

export interface TweetsLoaded {
  originals: number;
  replies: number;
  retweets: number;
  /** Row ids of the posts (originals and replies: what can be liked), by position. */
  postIds: Float64Array;
  /** The lowest and highest id written. */
  ids: IdRange;
}

/** How many of `total` tweets are replies and retweets; the rest are originals. */
export function tweetMix(total: number): Record<Kind, number> {
  const reply = Math.floor(total * REPLY_SHARE);
  const retweet = Math.floor(total * RETWEET_SHARE);
  return { original: total - reply - retweet, reply, retweet };
}

/**
 * A kind with quota left, drawn in proportion to what is left; replies and retweets need a
 * post to point at. Null when only they are left and no post is written yet.
 */
function pickKind(left: Record<Kind, number>, anyPost: boolean, random: () => number): Kind | null {
  const open = (['original', 'reply', 'retweet'] as const).filter(
    (kind) => left[kind] > 0 && (kind === 'original' || anyPost),
  );
  const total = open.reduce((sum, kind) => sum + left[kind], 0);
  let roll = random() * total;
  for (const kind of open) {
    roll -= left[kind];
    if (roll < 0) return kind;
  }
  return open.at(-1) ?? null;
}

/** A post written before, most often a recent one. */
const recentPost = (random: () => number, known: number): number =>
  known - 1 - Math.floor(known * Math.pow(random(), 4));

/**
 * Inserts exactly `total` tweets in id order: original posts, replies to earlier posts and
 * retweets of earlier posts (one per user and post at most). Replies and retweets point only
 * at posts whose batch is already in, so their ids are known. Posts mention users and carry
 * tags through `entities`, which writes their rows once the batch's ids are known.
 */
export async function insertTweets(
  world: World,
  total: number,
  entities: BulkEntities,
): Promise<TweetsLoaded> {
  const { random, userIds, progress } = world;
  const left = tweetMix(total);
  const result = { originals: left.original, replies: left.reply, retweets: left.retweet };
  const postIds = new Float64Array(left.original + left.reply);
  const pickAuthor = zipfPicker(random, permutation(random, userIds.length), AUTHOR_EXPONENT);
  const retweeted = new Set<number>();
  const step = await autoIncrementStep();
  const writer = new BatchWriter(1);
  const startsAt = Date.now() - SPAN_MS;
  let known = 0; // posts whose ids are known
  let posted = 0; // posts generated
  const ids: IdRange = { from: Number.MAX_SAFE_INTEGER, to: 0 };
  let rows: string[] = [];
  let positions: number[] = []; // post position of each row, -1 for a retweet
  let posts: Omit<PostedPost, 'tweetId'>[] = []; // each post row's text, by row
  const flush = async () => {
    const [batch, at, texts] = [rows, positions, posts];
    [rows, positions, posts] = [[], [], []];
    await writer.submit(async () => {
      // Tuples in TWEET_BULK_COLUMNS order.
      const block = insertedBlock('tweets', batch.length, await insertTweetsBulk(batch));
      let text = 0;
      for (const [k, position] of at.entries()) {
        if (position < 0) continue;
        postIds[position] = block.firstId + k * step;
        known = Math.max(known, position + 1);
        await entities.add({ ...texts[text++], tweetId: postIds[position] });
      }
      ids.from = Math.min(ids.from, block.firstId);
      ids.to = Math.max(ids.to, block.firstId + (block.count - 1) * step);
      progress.advance(batch.length);
    });
  };
  progress.start('tweets', total);
  for (let row = 0; row < total; row += 1) {
    let kind = pickKind(left, known > 0, random);
    if (kind === null) {
      await flush();
      await writer.drain();
      kind = pickKind(left, known > 0, random)!;
    }
    left[kind] -= 1;
    const date = sqlDate(new Date(startsAt + (row * SPAN_MS) / total));
    if (kind === 'retweet') {
      const [user, post] = uniqueRetweet(pickAuthor, random, known, postIds.length, retweeted);
      rows.push(`(${userIds[user]},'',NULL,${postIds[post]},${date})`);
      positions.push(-1);
    } else {
      const replyTo = kind === 'reply' ? String(postIds[recentPost(random, known)]) : 'NULL';
      const [authorId, content] = [userIds[pickAuthor()], sentence(random, entities)];
      rows.push(`(${authorId},'${content}',${replyTo},NULL,${date})`);
      posts.push({ authorId, content, date });
      positions.push(posted);
      posted += 1;
    }
    if (rows.length >= TWEET_BATCH) await flush();
  }
  if (rows.length > 0) await flush();
  await writer.drain();
  await entities.finish();
  return { ...result, postIds, ids };
}

/** A (user, post) pair not retweeted yet. */
function uniqueRetweet(
  pickUser: () => number,
  random: () => number,
  known: number,
  posts: number,
  taken: Set<number>,
): [number, number] {
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const user = pickUser();
    const post = attempt < 100 ? recentPost(random, known) : uniformIndex(random, known);
    const key = user * posts + post;
    if (!taken.has(key)) {
      taken.add(key);
      return [user, post];
    }
  }
  throw new Error('too many retweets for this world: every (user, post) pair tried is taken');
}

/**
 * Inserts exactly `total` likes: each user likes a log-normal number of distinct posts, a few
 * posts drawing most of them.
 */
export async function insertLikes(
  world: World,
  postIds: Float64Array,
  total: number,
): Promise<void> {
  const { random, userIds, progress } = world;
  const perUser = splitTotal(total, logNormalWeights(random, userIds.length, 1), postIds.length);
  const pickPost = zipfPicker(random, permutation(random, postIds.length), LIKED_EXPONENT);
  const now = sqlDate(new Date());
  progress.start('likes', total);
  const buffer = new RowBuffer(LIKE_BATCH, 2, async (rows) => {
    // Tuples in LIKE_BULK_COLUMNS order.
    insertedBlock('likes', rows.length, await insertLikesBulk(rows));
    progress.advance(rows.length);
  });
  for (let user = 0; user < userIds.length; user += 1) {
    const posts = distinctPicks(perUser[user], pickPost, postIds.length, random);
    await buffer.push(posts.map((post) => `(${userIds[user]},${postIds[post]},${now})`));
  }
  await buffer.finish();
}
