/**
 * Artillery processor for mixed.yml and realtime.yml. run.ts transpiles it to CommonJS in
 * test/load/.artillery/processor.js before each run (Artillery 2.0.21 loads only JavaScript).
 */
import type { Socket } from 'socket.io-client';

interface Context {
  vars: Record<string, unknown>;
  sockets?: Record<string, Socket>;
}
interface Events {
  emit(type: 'counter' | 'histogram', name: string, value: number): void;
}
type Done = (error?: Error) => void;

/** Prefix of the tweets run.ts posts while sockets listen: `rt:<epoch ms>`. */
const STAMP = /^rt:(\d+)$/;

/** Keeps the first original tweet of a home timeline page in `tweetId` (retweets unwrapped). */
export function pickTweet(
  _request: unknown,
  response: { statusCode: number; body: unknown },
  context: Context,
  _events: Events,
  done: Done,
): void {
  context.vars.tweetId = undefined;
  if (response.statusCode === 200 && typeof response.body === 'string') {
    const page = JSON.parse(response.body) as { data?: { id: string; tweet?: { id: string } }[] };
    const first = page.data?.[0];
    context.vars.tweetId = first?.tweet?.id ?? first?.id;
  }
  done();
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
  events.emit('counter', 'chirp.sockets_connected', 1);
  socket.on('tweet:new', (payload: { tweet?: { content?: string } }) => {
    const stamp = STAMP.exec(payload.tweet?.content ?? '');
    if (!stamp) return;
    events.emit('counter', 'chirp.tweet_new_received', 1);
    events.emit('histogram', 'chirp.tweet_new_delivery_ms', Date.now() - Number(stamp[1]));
  });
  socket.on('disconnect', (reason: string) => {
    if (reason !== 'io client disconnect') events.emit('counter', 'chirp.sockets_dropped', 1);
  });
  done();
}
