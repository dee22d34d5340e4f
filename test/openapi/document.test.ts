import { expect } from 'chai';
import { buildOpenApiDocument } from '../../app/http/openapi';
import { routes } from '../../app/routes';
import { api } from '../helpers/http';

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
}

interface Document {
  servers: { url: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
}

const operationsOf = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
  );

describe('the OpenAPI document, as client generators read it', () => {
  let document: Document;

  before(async () => {
    document = (await api().get('/openapi.json').expect(200)).body as Document;
  });

  it('names every operation with an operationId no other operation has', () => {
    const ids = operationsOf(document).map(({ operation }) => operation.operationId);
    expect(ids.filter((id) => typeof id !== 'string' || !/^[a-z][A-Za-z]+$/.test(id))).to.be.empty;
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).to.deep.equal([]);
    expect(ids).to.include.members(['createTweet', 'listHomeTimeline', 'logIn']);
  });

  it('declares every tag an operation uses, with a description', () => {
    const declared = new Map(document.tags.map((tag) => [tag.name, tag.description]));
    for (const { method, path, operation } of operationsOf(document)) {
      for (const tag of operation.tags ?? []) {
        expect(declared.get(tag), `${method} ${path}: tag ${tag}`).to.be.a('string').and.not.empty;
      }
    }
  });

  it('says security: [] on public operations and bearerAuth on the others', () => {
    const login = document.paths['/auth/login'].post;
    expect(login.security).to.deep.equal([]);
    expect(document.paths['/healthz'].get.security).to.deep.equal([]);
    expect(document.paths['/tweets'].post.security).to.deep.equal([{ bearerAuth: [] }]);
    const unsaid = operationsOf(document).filter(({ operation }) => !operation.security);
    expect(unsaid.map(({ method, path }) => `${method} ${path}`)).to.deep.equal([]);
  });

  it('is served with a relative server, not PUBLIC_URL, so "Try it out" calls its own origin', () => {
    expect(document.servers).to.deep.equal([{ url: '/' }]);
    expect(JSON.stringify(document)).not.to.contain('chirp.test'); // PUBLIC_URL of the suite
  });

  it('cannot be built with two routes of one operationId', () => {
    const twice = [...routes, { ...routes[0], path: '/elsewhere' }];
    expect(() => buildOpenApiDocument(twice, { version: '0', license: 'MIT' })).to.throw(
      `operationId ${routes[0].operationId} is used twice`,
    );
  });
});
