import { redis } from '../infra/redis';
import { sequelize } from '../infra/db';
import { registry } from '../http/metrics';
// Registers chirp_queue_jobs, collected at each scrape, on the registry /metrics serves.
import '../queue/metrics';
// Registers chirp_mysql_replica_lag_seconds and chirp_mysql_replica_running, likewise.
import './replicaLag';
import { defineRoute, type Route } from '../http/route';
import { z } from '../http/zod';
import { DOCS_ASSETS, DOCS_HTML, DOCS_INIT_JS, docsAsset } from './docs';
import { requireMetricsToken } from './metricsAccess';
import { readinessChecker } from './readiness';

const tags = ['operations'];

const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Ready = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.object({ mysql: z.enum(['ok', 'down']), redis: z.enum(['ok', 'down']) }),
  })
  .openapi('Readiness');
/** Described by the OpenAPI 3.1 schema itself: only what tells it apart is spelled out here. */
const OpenApiDocument = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.looseObject({})),
  })
  .openapi('OpenApiDocument');
const DocsAssetParams = z.object({
  asset: z.enum(['init.js', ...Object.keys(DOCS_ASSETS)] as [string, ...string[]]),
});

/** Health, readiness, metrics and the API's own documentation. */
export function opsRoutes(openApiDocument: () => object): Route[] {
  const readiness = readinessChecker(sequelize, redis);
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      summary: 'Liveness: 200 while the process runs',
      tags,
      auth: 'none',
      operational: true,
      responses: { 200: { description: 'Alive', schema: Health } },
      handle: () => ({ status: 200, body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'getReadiness',
      summary: 'Readiness: 200 when MySQL and Redis answer, else 503',
      description: 'The verdict is at most one second old: a burst of probes costs one check.',
      tags,
      auth: 'none',
      operational: true,
      responses: {
        200: { description: 'Ready to serve', schema: Ready },
        503: { description: 'A dependency is down', schema: Ready },
      },
      async handle() {
        const { ready, checks } = await readiness();
        return {
          status: ready ? 200 : 503,
          body: { status: ready ? 'ready' : 'unavailable', checks },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of this process, for a scraper holding METRICS_TOKEN',
      description:
        'Answers only `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN set it is ' +
        'off (403). Includes `chirp_queue_jobs{queue, state}`: the jobs of every queue, read ' +
        'at scrape; with DATABASE_REPLICA_URLS, `chirp_mysql_replica_lag_seconds{replica, ' +
        'host}` (-1 when unknown) and `chirp_mysql_replica_running{replica, host}`, asked at ' +
        'scrape.',
      tags,
      auth: 'none',
      operational: true,
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
      errors: ['unauthorized', 'forbidden'],
      async handle({ ctx }) {
        requireMetricsToken(ctx.get('Authorization'));
        return { status: 200, raw: { type: registry.contentType, body: await registry.metrics() } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This document (OpenAPI 3.1)',
      tags,
      auth: 'none',
      responses: { 200: { description: 'OpenAPI 3.1 document', schema: OpenApiDocument } },
      handle: () => ({ status: 200, body: openApiDocument() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      operationId: 'getDocsPage',
      summary: 'Swagger UI over this document',
      tags,
      auth: 'none',
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
      handle: () => ({ status: 200, raw: { type: 'text/html; charset=utf-8', body: DOCS_HTML } }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs/:asset',
      operationId: 'getDocsAsset',
      summary: 'Swagger UI assets, served from the installed package',
      tags,
      auth: 'none',
      request: { params: DocsAssetParams },
      responses: {
        200: {
          description: 'A static file, typed by its name',
          contentType: [...new Set(Object.values(DOCS_ASSETS).map((type) => type.split(';')[0]))],
        },
      },
      // Any other name is refused by DocsAssetParams, which route.ts answers with a 404.
      errors: ['not_found'],
      handle({ params }) {
        const type = DOCS_ASSETS[params.asset] ?? 'application/javascript; charset=utf-8';
        const body = params.asset === 'init.js' ? DOCS_INIT_JS : docsAsset(params.asset);
        return {
          status: 200,
          raw: { type, body },
          headers: { 'Cache-Control': 'public, max-age=3600' },
        };
      },
    }),
  ];
}
