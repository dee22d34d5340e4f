/**
 * The bench's lean server, a process of its own: the least a home-timeline read on Chirp's
 * stack can do. Koa, an HS256 check of the bearer token with a KeyObject (the key, algorithm,
 * issuer and audience Chirp checks), one Lua call (ZREVRANGE of the viewer's timeline, MGET
 * of its items' pre-rendered JSON, the page joined in Redis), and nothing else: no rate
 * limiting, revocation check, logs, metrics or headers.
 *
 * It serves `GET /tweets?limit=n` only, from keys of its own in REDIS_URL's database. The
 * bench loads them over IPC ({viewer, items}: the viewer's timeline, newest first, each item
 * the exact JSON Chirp answered) and then checks the page against Chirp's, byte for byte.
 */
import Koa from 'koa';
import Redis from 'ioredis';
import jwt from 'jsonwebtoken';
import { accessTokenKey, accessTokenVerifyOptions, asAccessClaims } from '../../../app/auth/tokens';
import { encodeCursor } from '../../../app/http/paging';
import { LEAN_PAGE } from './leanPage';

const HOME = 'bench:lean:home:';
const ITEM = 'bench:lean:item:';

interface LeanRedis extends Redis {
  leanPage(key: string, itemPrefix: string, limit: string): Promise<[string, string]>;
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  enableAutoPipelining: true,
}) as LeanRedis;
redis.defineCommand('leanPage', { numberOfKeys: 1, lua: LEAN_PAGE });
const key = accessTokenKey();

const app = new Koa();
app.use(async (ctx) => {
  const [scheme, token] = (ctx.get('authorization') || ' ').split(' ');
  let viewer: string | null = null;
  if (scheme.toLowerCase() === 'bearer' && token) {
    try {
      viewer = asAccessClaims(jwt.verify(token, key, accessTokenVerifyOptions))?.sub ?? null;
    } catch {
      viewer = null;
    }
  }
  if (viewer === null) {
    ctx.status = 401;
    return;
  }
  if (ctx.method !== 'GET' || ctx.path !== '/tweets') {
    ctx.status = 404;
    return;
  }
  const limit = Math.min(Math.max(Number(ctx.query.limit) || 20, 1), 100);
  const [joined, last] = await redis.leanPage(HOME + viewer, ITEM, String(limit));
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = `{"data":[${joined}],"nextCursor":${last ? JSON.stringify(encodeCursor(last)) : 'null'}}`;
});

/** Stores a viewer's timeline: ids scored by position (newest highest) and each item's JSON. */
async function load(viewer: string, items: { id: string; json: string }[]): Promise<void> {
  const multi = redis.multi().del(HOME + viewer);
  items.forEach((item, i) => {
    multi.zadd(HOME + viewer, items.length - i, item.id);
    multi.set(ITEM + item.id, item.json);
  });
  await multi.exec();
}

process.on('message', (message: { viewer: string; items: { id: string; json: string }[] }) => {
  void load(message.viewer, message.items).then(() => process.send?.('loaded'));
});
process.on('disconnect', () => process.exit(0));
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
