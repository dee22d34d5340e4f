/**
 * Artillery processor for mixed.yml and realtime.yml. run.ts transpiles it to CommonJS in
 * test/load/.artillery/processor.js before each run (Artillery 2.0.21 loads only JavaScript).
 */
import { appendFileSync, existsSync } from 'node:fs';
import type { Socket } from 'socket.io-client';

interface Context {
  vars: Record<string, unknown>;
  sockets?: Record<string, Socket>;
}
interface Events {
  emit(type: 'counter' | 'histogram', name: string, value: number): void;
}
type Done = (error?: Error) => void;

/** The tweets steps.ts posts while sockets listen: `rt:<sent at, epoch ms>:<sequence>`. */
const STAMP = /^rt:(\d+):(\d+)$/;

/**
 * Where each socket's record goes (steps.ts sets it per step): one JSON line per socket with
 * when it connected and stopped listening, and the sequence numbers it received, so the
 * runner can name every delivery that should have come and did not.
 */
export interface SocketRecord {
  connectedAt: number;
  endedAt: number;
  received: number[];
}
const RECORDS = process.env.CHIRP_LOAD_SOCKET_RECORDS;
/** A line per connected socket, which steps.ts counts to know when every socket is up. */
const CONNECTED = process.env.CHIRP_LOAD_SOCKETS_CONNECTED;
/** The file whose appearance ends the step; sockets never wait longer than LONGEST_HOLD_MS. */
const STOP = process.env.CHIRP_LOAD_STOP;
const LONGEST_HOLD_MS = 120_000;

let stopped: Promise<void> | undefined;
/** One watcher per Artillery worker, however many sockets wait on it. */
function stopSignal(): Promise<void> {
  stopped ??= new Promise((resolve) => {
    const deadline = Date.now() + LONGEST_HOLD_MS;
    const timer = setInterval(() => {
      if ((STOP && existsSync(STOP)) || Date.now() > deadline) {
        clearInterval(timer);
        resolve();
      }
    }, 200);
  });
  return stopped;
}

/** A tweet of a home timeline page, as the pickers below read it. */
interface Shown {
  id: string;
  content?: string;
  author?: { username: string };
  entities?: { hashtags: { tag: string }[] };
}

/** An `afterResponse` hook on a home timeline read. */
type AfterTimeline = (
  request: unknown,
  response: { statusCode: number; body: unknown },
  context: Context,
  events: Events,
  done: Done,
) => void;

/**
 * An `afterResponse` hook that sets `names` from the tweets a home timeline page showed
 * (retweets unwrapped) as `pick` chooses; each stays undefined when the read failed or `pick`
 * found nothing for it.
 */
function fromTimeline(
  names: string[],
  pick: (tweets: Shown[]) => Record<string, string | undefined>,
): AfterTimeline {
  return (_request, response, context, _events, done) => {
    for (const name of names) context.vars[name] = undefined;
    if (response.statusCode === 200 && typeof response.body === 'string') {
      const page = JSON.parse(response.body) as { data?: (Shown & { tweet?: Shown })[] };
      Object.assign(context.vars, pick((page.data ?? []).map((item) => item.tweet ?? item)));
    }
    done();
  };
}

const anyOf = (items: string[]) =>
  items.length === 0 ? undefined : items[Math.floor(Math.random() * items.length)];

/** Keeps the first original tweet of a home timeline page in `tweetId`. */
export const pickTweet = fromTimeline(['tweetId'], (tweets) => ({ tweetId: tweets[0]?.id }));

/**
 * What a user searches after reading their timeline (the search scenario): a word of at
 * least four ASCII letters from a tweet they saw, in `tweetQuery`, and the first author's
 * username less its last character, as when typing a name, in `userQuery`.
 */
export const pickSearch = fromTimeline(['tweetQuery', 'userQuery'], (tweets) => {
  const username = tweets[0]?.author?.username;
  return {
    tweetQuery: anyOf(tweets.flatMap((tweet) => tweet.content?.match(/[A-Za-z]{4,}/g) ?? [])),
    userQuery: username?.slice(0, Math.max(1, username.length - 1)),
  };
});

/** `ifTrue` for the searches: something to search for was picked. */
export function hasSearch(vars: Record<string, unknown>): boolean {
  return typeof vars.tweetQuery === 'string' && typeof vars.userQuery === 'string';
}

/**
 * A hashtag a user opens after reading their timeline (the hashtag scenario): one of the tags
 * the page's tweets carry, URL-encoded into `hashtag`; none when the page has no tag.
 */
export const pickHashtag = fromTimeline(['hashtag'], (tweets) => {
  const tag = anyOf(tweets.flatMap((tweet) => tweet.entities?.hashtags.map((h) => h.tag) ?? []));
  return { hashtag: tag === undefined ? undefined : encodeURIComponent(tag) };
});

/** `ifTrue` for the hashtag read: the timeline page showed a tag. */
export function hasHashtag(vars: Record<string, unknown>): boolean {
  return typeof vars.hashtag === 'string';
}

/** `ifTrue` for the writes that need a tweet from the timeline. */
export function hasTweet(vars: Record<string, unknown>): boolean {
  return typeof vars.tweetId === 'string';
}

/** Counts the socket as connected and times every stamped `tweet:new` it receives. */
export function listen(context: Context, events: Events, done: Done): void {
  const socket = context.sockets?.[''];
  if (!socket) {
    done(new Error('listen: no socket'));
    return;
  }
  const record: SocketRecord = { connectedAt: Date.now(), endedAt: 0, received: [] };
  context.vars.record = record;
  events.emit('counter', 'chirp.sockets_connected', 1);
  if (CONNECTED) appendFileSync(CONNECTED, '.');
  socket.on('tweet:new', (payload: { tweet?: { content?: string } }) => {
    const stamp = STAMP.exec(payload.tweet?.content ?? '');
    if (!stamp) return;
    record.received.push(Number(stamp[2]));
    events.emit('counter', 'chirp.tweet_new_received', 1);
    events.emit('histogram', 'chirp.tweet_new_delivery_ms', Date.now() - Number(stamp[1]));
  });
  socket.on('disconnect', (reason: string) => {
    if (reason !== 'io client disconnect') events.emit('counter', 'chirp.sockets_dropped', 1);
  });
  done();
}

/** Keeps the socket listening until the step is over. */
export function hold(_context: Context, _events: Events, done: Done): void {
  void stopSignal().then(() => done());
}

/** Ends the socket's listening and writes its record. */
export function finish(context: Context, _events: Events, done: Done): void {
  const record = context.vars.record as SocketRecord | undefined;
  if (record && RECORDS) {
    record.endedAt = Date.now();
    appendFileSync(RECORDS, `${JSON.stringify(record)}\n`);
  }
  done();
}
