import type { ParameterizedContext } from 'koa';
import type { Logger } from '../infra/logger';

/** Who is calling, as proven by a verified, unrevoked access token. */
export interface Viewer {
  id: string;
  familyId: string;
}

/** What middleware puts on `ctx.state` for everything after it. */
export interface AppState {
  requestId: string;
  log: Logger;
  viewer: Viewer | null;
}

export type AppContext = ParameterizedContext<AppState>;
