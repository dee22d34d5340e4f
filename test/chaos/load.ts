import { io, type Socket } from 'socket.io-client';
import type { ChaosStack } from './stack';

/** The longest the load client waits for one answer: past it the request counts as unanswered. */
export const REQUEST_DEADLINE_MS = 10_000;

/** Members who all follow each other, write, read and listen on a socket. */
const MEMBERS = 5;
/** Accounts the members follow during the load (each follow is a write to verify). */
const FOLLOWEES = 6;
/** Tweets and replies of one run stay under TIMELINE_MAX_LENGTH (800), so each must show. */
const MAX_POSTS = 400;
/** Pause between two actions of one member: a steady, bounded load on a shared machine. */
const PACE_MS = 120;

export interface Answer {
  status: number; // 0: no answer (refused, reset or past the deadline)
  // Untyped JSON: the verification is what checks it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Account {
  id: string;
  username: string;
  accessToken: string;
}

/** What the server acknowledged (2xx), with when: the writes the verification looks for. */
export interface Acknowledged {
  tweets: { id: string; authorId: string; sentAt: number; ackedAt: number; replyTo?: string }[];
  likes: { userId: string; tweetId: string; tweetAuthorId: string }[];
  follows: { followerId: string; followeeId: string }[];
}

export interface Counts {
  requests: number;
  ok: number;
  clientErrors: number;
  serverErrors: number;
  unanswered: number;
}

/** A member's socket: every tweet:new and notification it received, and when it was connected. */
export class Listener {
  readonly tweets = new Set<string>();
  readonly notifications: unknown[] = [];
  /** Connected intervals [from, to]; `to` undefined while connected. */
  readonly connected: { from: number; to?: number }[] = [];
  readonly socket: Socket;

  constructor(base: string, token: string) {
    this.socket = io(base, { auth: { token }, transports: ['websocket'], reconnectionDelay: 200 });
    this.socket.on('connect', () => this.connected.push({ from: Date.now() }));
    this.socket.on('disconnect', () => {
      const last = this.connected[this.connected.length - 1];
      if (last && last.to === undefined) last.to = Date.now();
    });
    this.socket.on('tweet:new', (payload: { tweet: { id: string; tweet?: { id: string } } }) =>
      this.tweets.add(String(payload.tweet.id)),
    );
    this.socket.on('notification', (payload: unknown) => this.notifications.push(payload));
  }

  /** Whether the socket stayed connected over the whole span (so an event in it must arrive). */
  listenedThrough(from: number, to: number): boolean {
    return this.connected.some((span) => span.from <= from && (span.to ?? Infinity) >= to);
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** Round-robin over the scenario's API nodes; a node that is down simply does not answer. */
export class Client {
  private next = 0;
  readonly counts: Counts = { requests: 0, ok: 0, clientErrors: 0, serverErrors: 0, unanswered: 0 };
  /** The first 5xx answers of each status, named (route and problem code), for the report. */
  readonly serverErrorSamples: string[] = [];
  /** 5xx answers by status: a 503 with Retry-After is the documented answer to a fault, a 500 a bug. */
  readonly serverErrorsByStatus: Record<number, number> = {};

  constructor(private readonly stack: ChaosStack) {}

  base(): string {
    const nodes = this.stack.apis;
    this.next = (this.next + 1) % nodes.length;
    return nodes[this.next].base;
  }

  async call(
    method: string,
    path: string,
    { token, body, count = true }: { token?: string; body?: unknown; count?: boolean } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let answer: Answer;
    try {
      const response = await fetch(`${this.base()}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
      });
      const text = await response.text();
      answer = { status: response.status, body: parseJson(text) };
    } catch {
      answer = { status: 0, body: undefined };
    }
    if (count) this.tally(answer.status);
    if (count && answer.status >= 500) this.sampleServerError(method, path, answer);
    return answer;
  }

  private sampleServerError(method: string, path: string, answer: Answer): void {
    const seen = (this.serverErrorsByStatus[answer.status] ?? 0) + 1;
    this.serverErrorsByStatus[answer.status] = seen;
    if (seen > 3) return;
    const route = path.replace(/\d+/g, ':id').replace(/\?.*$/, '');
    this.serverErrorSamples.push(`${method} ${route} ${answer.status} ${answer.body?.code}`);
  }

  private tally(status: number): void {
    this.counts.requests += 1;
    if (status === 0) this.counts.unanswered += 1;
    else if (status >= 500) this.counts.serverErrors += 1;
    else if (status >= 400) this.counts.clientErrors += 1;
    else this.counts.ok += 1;
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}

/** Calls until the answer has `status` (setup must not be what a fault breaks). */
async function must(client: Client, status: number, method: string, path: string, options = {}) {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const answer = await client.call(method, path, { ...options, count: false });
    if (answer.status === status) return answer;
    await sleep(250);
  }
  throw new Error(`setup: ${method} ${path} never answered ${status}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function register(client: Client, tag: string): Promise<Account> {
  const username = `${tag}${Math.random().toString(36).slice(2, 10)}`.slice(0, 15);
  const { body } = await must(client, 201, 'POST', '/auth/register', {
    body: { username, email: `${username}@chaos.test`, password: 'correct horse battery' },
  });
  return { id: String(body.user.id), username, accessToken: body.accessToken as string };
}

/**
 * The world the load runs in: members who follow each other (each with a listening socket)
 * and accounts to be followed. Built before any fault, through the API.
 */
export class World {
  readonly listeners = new Map<string, Listener>();

  private constructor(
    readonly client: Client,
    readonly members: Account[],
    readonly followees: Account[],
  ) {}

  static async build(stack: ChaosStack): Promise<World> {
    const client = new Client(stack);
    const members: Account[] = [];
    for (let i = 0; i < MEMBERS; i += 1) members.push(await register(client, 'm'));
    const followees: Account[] = [];
    for (let i = 0; i < FOLLOWEES; i += 1) followees.push(await register(client, 'f'));
    for (const a of members)
      for (const b of members)
        if (a !== b)
          await must(client, 200, 'POST', `/users/${b.id}/follow`, { token: a.accessToken });
    const world = new World(client, members, followees);
    for (const member of members)
      world.listeners.set(member.id, new Listener(stack.apis[0].base, member.accessToken));
    await waitFor(() => [...world.listeners.values()].every((l) => l.socket.connected), 10_000);
    return world;
  }

  close(): void {
    for (const listener of this.listeners.values()) listener.close();
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('setup: sockets did not connect');
    await sleep(50);
  }
}

const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

/**
 * The steady load: each member, in turn and forever until stopped, posts, replies, likes,
 * follows and reads their home timeline. Only 2xx answers are recorded as acknowledged.
 */
export class Load {
  readonly acked: Acknowledged = { tweets: [], likes: [], follows: [] };
  private running = false;
  private loops: Promise<void>[] = [];
  private posts = 0;
  private readonly liked = new Set<string>();
  private readonly followed = new Set<string>();

  constructor(private readonly world: World) {}

  start(): void {
    this.running = true;
    this.loops = this.world.members.map((member) => this.loop(member));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(member: Account): Promise<void> {
    while (this.running) {
      await this.act(member);
      await sleep(PACE_MS);
    }
  }

  private async act(member: Account): Promise<void> {
    const roll = Math.random();
    if (roll < 0.3) return this.post(member);
    if (roll < 0.45) return this.post(member, this.othersTweet(member));
    if (roll < 0.65) return this.like(member);
    if (roll < 0.72) return this.follow(member);
    await this.world.client.call('GET', '/tweets?limit=20', { token: member.accessToken });
  }

  private othersTweet(member: Account) {
    return pick(this.acked.tweets.filter((t) => t.authorId !== member.id));
  }

  private async post(member: Account, parent?: { id: string }): Promise<void> {
    if (this.posts >= MAX_POSTS) return;
    this.posts += 1;
    const sentAt = Date.now();
    const body = { content: `chaos ${member.username} ${this.posts}`, replyToId: parent?.id };
    const answer = await this.world.client.call('POST', '/tweets', {
      token: member.accessToken,
      body,
    });
    if (answer.status !== 201) return;
    const id = String(answer.body.id);
    this.acked.tweets.push({
      id,
      authorId: member.id,
      sentAt,
      ackedAt: Date.now(),
      replyTo: parent?.id,
    });
  }

  private async like(member: Account): Promise<void> {
    const tweet = this.othersTweet(member);
    if (!tweet || this.liked.has(`${member.id}:${tweet.id}`)) return;
    const answer = await this.world.client.call('POST', `/tweets/${tweet.id}/like`, {
      token: member.accessToken,
    });
    if (answer.status !== 200) return;
    this.liked.add(`${member.id}:${tweet.id}`);
    this.acked.likes.push({ userId: member.id, tweetId: tweet.id, tweetAuthorId: tweet.authorId });
  }

  private async follow(member: Account): Promise<void> {
    const followee = this.world.followees.find((f) => !this.followed.has(`${member.id}:${f.id}`));
    if (!followee) return;
    const answer = await this.world.client.call('POST', `/users/${followee.id}/follow`, {
      token: member.accessToken,
    });
    if (answer.status !== 200) return;
    this.followed.add(`${member.id}:${followee.id}`);
    this.acked.follows.push({ followerId: member.id, followeeId: followee.id });
  }
}
