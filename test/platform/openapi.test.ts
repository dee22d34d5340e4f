import type Router from '@koa/router';
import { expect } from 'chai';
import type { AppState } from '../../app/http/context';
import { createRouter } from '../../app/server';
import { api } from '../helpers/http';

/** What this file reads of the document (answers are checked against it in test/openapi). */
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
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
