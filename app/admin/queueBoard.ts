import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Middleware } from 'koa';
import type { AppContext, AppState } from '../http/context';
import { limitRequest } from '../http/rateLimit';
import { QUEUE_NAMES } from '../queue/jobs';
import { getQueue } from '../queue/queues';
import { BOARD_COOKIE, BOARD_PATH, provenAdmin } from './access';

type BoardOptions = Parameters<typeof createBullBoard>[0];

/** Bull Board over every queue, as Koa middleware serving everything under BOARD_PATH. */
function createBoard(): Middleware {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullAdapter(getQueue(name))),
    // @bull-board/koa 9.10.1 brings its own copy of @bull-board/api 9.10.1, whose types differ
    // from ours (9.10.2) by a private field only; the adapter uses none of its code at runtime.
    serverAdapter: serverAdapter as unknown as BoardOptions['serverAdapter'],
    options: { uiConfig: { boardTitle: 'Chirp queues' } },
  });
  return serverAdapter.registerPlugin() as Middleware;
}

/** The metrics label of every board request: one series, not one per job id. */
const BOARD_ROUTE_LABEL = `${BOARD_PATH}/{path}`;

/**
 * Serves Bull Board (its UI, static files and JSON API) under `BOARD_PATH/`, to admins only,
 * proven by the cookie that `POST BOARD_PATH` sets. It sits beside the router, not in it: the
 * board brings its own routes, and the OpenAPI document leaves them out (an admin UI whose JSON
 * API is Bull Board's, versioned with it, not Chirp's).
 */
export function queueBoard(): Middleware<AppState> {
  let board: Middleware | undefined;
  return async (ctx, next) => {
    if (!ctx.path.startsWith(`${BOARD_PATH}/`)) {
      await next();
      return;
    }
    const context = ctx as unknown as AppContext;
    try {
      try {
        ctx.state.viewer = (await provenAdmin(ctx.cookies.get(BOARD_COOKIE))).viewer;
      } catch (error) {
        // As on every route: failed attempts spend the address's budget.
        await limitRequest(context);
        throw error;
      }
      board ??= createBoard(); // its queues open on first use, not when the app is built
      // Nothing after the board: a path it does not serve is a 404 here, not a router route.
      await board(ctx, () => Promise.resolve());
    } finally {
      (ctx as { _matchedRoute?: string })._matchedRoute = BOARD_ROUTE_LABEL;
    }
  };
}
