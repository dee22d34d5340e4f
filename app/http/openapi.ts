import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { ERROR_CODES, type ErrorCode } from './errors';
import type { Route } from './route';
import { Problem, z } from './zod';

/** `/users/:id` → `/users/{id}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The document's tags: every route's tags must be one of these (the builder refuses others). */
export const TAGS: Record<string, string> = {
  auth: 'Accounts and sessions: register, sign in, refresh and end sessions, reset passwords.',
  users: 'Profiles, your own account, follows, blocks and mutes.',
  tweets: 'Posting, reading and deleting tweets, timelines, likes, retweets and bookmarks.',
  notifications: 'Mentions, follows, likes, retweets and replies that concern you.',
  search: 'Finding users by name and tweets by words.',
  hashtags: 'Trending hashtags and the tweets that use a hashtag.',
  admin: 'Moderation, for admins: suspensions and the audit log.',
  operations: 'Health, readiness, metrics, this document and the queue board sign-in.',
};

/**
 * Who may call a route. Public routes say `[]`: linters and generated clients read a missing
 * `security` as "whatever the document's default is", not as "no credentials".
 */
function securityOf(route: Route): RouteConfig['security'] {
  if (route.auth === 'none') return [];
  if (route.auth === 'optional') return [{}, { bearerAuth: [] }];
  return [{ bearerAuth: [] }];
}

function problemResponses(route: Route): RouteConfig['responses'] {
  const codes = new Set<ErrorCode>(route.errors ?? []);
  if (route.request?.body || route.request?.query) codes.add('validation_failed');
  if (route.request?.body) {
    // Answered by app/http/body.ts before the schema sees anything.
    for (const code of ['malformed_json', 'payload_too_large', 'unsupported_media_type'] as const)
      codes.add(code);
  }
  // Node's parser answers an oversized head before any route (app/http/drain.ts).
  codes.add('request_header_too_large');
  if (route.auth === 'required') codes.add('unauthorized');
  if (!route.operational) codes.add('rate_limited');
  // MariaDB busy (a lock held past LOCK_WAIT_SECONDS, no free connection) or away: 503.
  if (!route.operational) codes.add('unavailable');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: RouteConfig['responses'] = {};
  for (const [status, list] of byStatus) {
    responses[status] = {
      description: list.map((code) => `\`${code}\``).join(', '),
      content: { 'application/problem+json': { schema: Problem } },
    };
  }
  return responses;
}

function successResponses(route: Route): RouteConfig['responses'] {
  const responses: RouteConfig['responses'] = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    if (spec.schema) {
      responses[status] = {
        description: spec.description,
        content: { 'application/json': { schema: spec.schema } },
      };
    } else if (spec.contentType) {
      const types = [spec.contentType].flat();
      responses[status] = {
        description: spec.description,
        content: Object.fromEntries(
          // Binary files (images) have no schema in OpenAPI 3.1: any bytes.
          types.map((type) => [type, { schema: type.startsWith('image/') ? {} : z.string() }]),
        ),
      };
    } else {
      responses[status] = { description: spec.description };
    }
  }
  return responses;
}

/**
 * The OpenAPI 3.1 document of a set of routes, generated from the schemas that validate them.
 * The queue board beside the router is left out: an admin UI with its own JSON, not the API.
 */
export function buildOpenApiDocument(routes: Route[], info: { version: string; license: string }) {
  const operationIds = new Set<string>();
  for (const route of routes) {
    if (operationIds.has(route.operationId)) {
      throw new Error(`operationId ${route.operationId} is used twice`);
    }
    operationIds.add(route.operationId);
    const undeclared = route.tags.filter((tag) => !Object.hasOwn(TAGS, tag));
    if (undeclared.length > 0) {
      throw new Error(`${route.operationId}: undeclared tag ${undeclared[0]}`);
    }
  }
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const route of routes) {
    const { body, query, params } = route.request ?? {};
    registry.registerPath({
      method: route.method,
      path: toOpenApiPath(route.path),
      operationId: route.operationId,
      summary: route.summary,
      description: route.description,
      tags: route.tags,
      security: securityOf(route),
      request: {
        // zod-to-openapi wants object schemas here; every route's are.
        params: params as never,
        query: query as never,
        body: body
          ? { content: { 'application/json': { schema: body } }, required: true }
          : undefined,
      },
      responses: { ...successResponses(route), ...problemResponses(route) },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Chirp API',
      version: info.version,
      license: { name: info.license, identifier: info.license },
      description:
        'A Twitter-style backend. Errors are RFC 9457 problem details with a stable `code`. ' +
        'Lists take `limit` (1-100) and an opaque `cursor`, and answer `{data, nextCursor}`.',
    },
    // Relative: "Try it out" calls whichever origin serves the document (a proxy, another port).
    servers: [{ url: '/' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
  });
}
