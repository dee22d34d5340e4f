import { accountRoutes } from './accounts/routes';
import { adminRoutes } from './admin/routes';
import { authRoutes } from './auth/routes';
import { hashtagRoutes } from './hashtags/routes';
import { buildOpenApiDocument } from './http/openapi';
import type { Route } from './http/route';
import { notificationRoutes } from './notifications/routes';
import { opsRoutes } from './ops/routes';
import { searchRoutes } from './search/routes';
import { tweetRoutes } from './tweets/routes';
import { userRoutes } from './users/routes';
import { license, version } from '../package.json';

let document: object | undefined;

/** The OpenAPI document GET /openapi.json answers; the typed client is generated from it too. */
export const openApiDocument = (): object =>
  (document ??= buildOpenApiDocument(routes, { version, license }));

/** Every route of the API, in the order the router tries them. */
export const routes: Route[] = [
  ...authRoutes,
  ...userRoutes,
  ...accountRoutes,
  ...tweetRoutes,
  ...notificationRoutes,
  ...searchRoutes,
  ...hashtagRoutes,
  ...adminRoutes,
  ...opsRoutes(openApiDocument),
];
