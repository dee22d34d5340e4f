import type Router from '@koa/router';
import { expect } from 'chai';
import type { AppState } from '../../app/http/context';
import { createRouter } from '../../app/server';
import { api, registerUser, uniqueHandle } from '../helpers/http';

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { schemas: Record<string, JsonSchema> };
}

interface ResponseObject {
  content?: Record<string, { schema: JsonSchema }>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** `METHOD /path` of every route layer of `router` that `document` does not describe. */
function undocumentedRoutes(router: Router<AppState>, document: OpenApiDocument): string[] {
  return router.stack.flatMap((layer) =>
    layer.methods
      .map((method) => method.toLowerCase())
      .filter((method) => HTTP_METHODS.includes(method)) // HEAD comes with GET
      .filter((method) => {
        const path = String(layer.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        return !document.paths[path]?.[method];
      })
      .map((method) => `${method.toUpperCase()} ${String(layer.path)}`),
  );
}

function resolve(schema: JsonSchema, document: OpenApiDocument): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components.schemas[name];
  if (!target) throw new Error(`dangling ${schema.$ref}`);
  return resolve(target, document);
}

function typeOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (Number.isInteger(value)) return ['integer', 'number'];
  return [typeof value];
}

/** Where `value` breaks `schema`'s required properties or types (a small JSON Schema subset). */
function violations(
  schema: JsonSchema,
  value: unknown,
  document: OpenApiDocument,
  at = '$',
): string[] {
  const resolved = resolve(schema, document);
  const allowed = resolved.type === undefined ? [] : [resolved.type].flat();
  if (allowed.length > 0 && !typeOf(value).some((type) => allowed.includes(type))) {
    return [`${at}: expected ${allowed.join('|')}, got ${JSON.stringify(value)}`];
  }
  const problems: string[] = [];
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    for (const name of resolved.required ?? []) {
      if (!(name in object)) problems.push(`${at}.${name}: required but missing`);
    }
    for (const [name, property] of Object.entries(resolved.properties ?? {})) {
      if (name in object)
        problems.push(...violations(property, object[name], document, `${at}.${name}`));
    }
  }
  if (Array.isArray(value) && resolved.items) {
    value.forEach((item, i) =>
      problems.push(...violations(resolved.items!, item, document, `${at}[${i}]`)),
    );
  }
  return problems;
}

function documentedSchema(
  document: OpenApiDocument,
  method: string,
  path: string,
  status: number,
  type: string,
): JsonSchema {
  const schema = document.paths[path]?.[method]?.responses[String(status)]?.content?.[type]?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no ${status} ${type}`);
  return schema;
}

describe('GET /openapi.json', () => {
  let document: OpenApiDocument;

  before(async () => {
    const response = await api().get('/openapi.json').expect(200);
    expect(response.type).to.equal('application/json');
    document = response.body as OpenApiDocument;
  });

  it('is an OpenAPI 3.1 document', () => {
    expect(document.openapi).to.match(/^3\.1\.\d+$/);
    expect(document.paths).to.be.an('object');
  });

  it('describes every method and path the router serves', () => {
    const router = createRouter();
    const served = router.stack.map((layer) => String(layer.path));
    expect(served).to.include.members(['/auth/register', '/users/me', '/openapi.json']);
    expect(undocumentedRoutes(router, document)).to.deep.equal([]);
  });

  it('is checked by a test that notices an undocumented route', () => {
    const router = createRouter();
    router.get('/users/:id/secrets', (ctx) => {
      ctx.body = {};
    });
    router.post('/docs', (ctx) => {
      ctx.body = {};
    });
    expect(undocumentedRoutes(router, document)).to.deep.equal([
      'GET /users/:id/secrets',
      'POST /docs',
    ]);
  });

  it('describes the body POST /auth/register really answers with 201', async () => {
    const schema = documentedSchema(document, 'post', '/auth/register', 201, 'application/json');
    expect(schema.$ref).to.equal('#/components/schemas/Session');
    const response = await api()
      .post('/auth/register')
      .send({ ...uniqueHandle('oas'), password: 'correct horse battery' })
      .expect(201);
    const session = resolve(schema, document);
    expect(session.required).to.include.members(['user', 'accessToken', 'refreshToken']);
    for (const name of session.required!) expect(response.body).to.have.property(name);
    expect(violations(schema, response.body, document)).to.deep.equal([]);
  });

  it('describes the problem POST /auth/register really answers with 409', async () => {
    const taken = await registerUser();
    const schema = documentedSchema(
      document,
      'post',
      '/auth/register',
      409,
      'application/problem+json',
    );
    const response = await api()
      .post('/auth/register')
      .send({ ...uniqueHandle('oas'), username: taken.username, password: 'correct horse battery' })
      .expect(409);
    expect(violations(schema, response.body, document)).to.deep.equal([]);
  });

  it('has a checker that reports a body missing a required property', () => {
    const schema = documentedSchema(document, 'post', '/auth/register', 201, 'application/json');
    const problems = violations(schema, { user: { id: 7 }, accessToken: 'a' }, document);
    expect(problems).to.include('$.refreshToken: required but missing');
    expect(problems).to.include('$.user.username: required but missing');
    expect(problems.some((p) => p.startsWith('$.user.id: expected string'))).to.equal(true);
  });
});

/** A supertest parser that keeps any body as the bytes it was sent as. */
function rawBody(response: unknown, callback: (error: Error | null, body: Buffer) => void): void {
  const stream = response as NodeJS.ReadableStream; // superagent hands over the Node response
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('GET /docs', () => {
  it('serves Swagger UI from local files only, each answering 200 with content', async () => {
    const page = await api().get('/docs').expect(200);
    expect(page.type).to.equal('text/html');
    const html = page.text;
    const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
    const styles = [...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(scripts, 'scripts').to.not.be.empty;
    expect(styles, 'stylesheets').to.not.be.empty;
    // The CSP allows scripts from this origin only: an inline script would never run.
    expect(html).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.to.match(/(src|href)="(https?:)?\/\//);

    for (const asset of [...scripts, ...styles]) {
      expect(asset, asset).to.match(/^\/[^/]/);
      const response = await api().get(asset).buffer(true).parse(rawBody);
      expect(response.status, asset).to.equal(200);
      // Browsers refuse a script or stylesheet of the wrong type under `nosniff`.
      expect(response.type, asset).to.equal(
        scripts.includes(asset) ? 'application/javascript' : 'text/css',
      );
      expect((response.body as Buffer).length, asset).to.be.greaterThan(0);
    }
  });
});
