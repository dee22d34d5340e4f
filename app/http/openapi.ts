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
      responses[status] = {
        description: spec.description,
        content: { [spec.contentType]: { schema: z.string() } },
      };
    } else {
      responses[status] = { description: spec.description };
    }
  }
  return responses;
}

/**
 * The OpenAPI 3.1 document of a set of routes, generated from the schemas that validate them.
 * `mounted` documents what is served beside the router (the queue board).
 */
export function buildOpenApiDocument(
  routes: Route[],
  serverUrl: string,
  version: string,
  mounted: ((registry: OpenAPIRegistry) => void)[] = [],
) {
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
      summary: route.summary,
      description: route.description,
      tags: route.tags,
      security: route.auth === 'none' ? undefined : [{ bearerAuth: [] }],
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
  for (const document of mounted) document(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Chirp API',
      version,
      description:
        'A Twitter-style backend. Errors are RFC 9457 problem details with a stable `code`. ' +
        'Lists take `limit` (1-100) and an opaque `cursor`, and answer `{data, nextCursor}`.',
    },
    servers: [{ url: serverUrl }],
  });
}
