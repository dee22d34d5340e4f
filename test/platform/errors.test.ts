import { expect } from 'chai';
import Koa from 'koa';
import pino from 'pino';
import supertest from 'supertest';
import type { AppState } from '../../app/http/context';
import { problemDetails } from '../../app/http/problem';
import { requestLog } from '../../app/http/requestLog';
import { api } from '../helpers/http';

type Answer = Awaited<ReturnType<ReturnType<typeof api>['get']>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Checks an answer is an RFC 9457 problem with exactly the documented members. */
function expectProblem(response: Answer, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(response.type).to.equal('application/problem+json');
  const members = ['type', 'title', 'status', 'detail', 'code'];
  if (code === 'validation_failed') members.push('errors');
  expect(Object.keys(response.body)).to.have.members(members);
  expect(response.body.status).to.equal(status);
  expect(response.body.code).to.equal(code);
  for (const member of ['type', 'title', 'detail']) {
    expect(response.body[member], member).to.be.a('string').and.not.equal('');
  }
}

describe('problem details', () => {
  it('answers malformed JSON with 400 malformed_json', async () => {
    const response = await api()
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"username": "ada", ');
    expectProblem(response, 400, 'malformed_json');
  });

  it('answers a JSON body over 1 MB with 413 payload_too_large', async () => {
    const response = await api()
      .post('/auth/register')
      .send({ username: 'ada', email: 'ada@example.test', password: 'x'.repeat(1_100_000) });
    expectProblem(response, 413, 'payload_too_large');
  });

  it('answers an unknown route with 404 not_found', async () => {
    const response = await api().get('/no/such/route');
    expectProblem(response, 404, 'not_found');
  });

  it('answers a wrong method on a known path with 405 method_not_allowed and Allow', async () => {
    const onGet = await api().put('/users/me');
    expectProblem(onGet, 405, 'method_not_allowed');
    expect(onGet.headers.allow).to.contain('GET').and.to.contain('DELETE');

    const onPost = await api().put('/auth/register');
    expectProblem(onPost, 405, 'method_not_allowed');
    expect(onPost.headers.allow).to.contain('POST');
  });

  it('lists each field problem in 400 validation_failed', async () => {
    const response = await api()
      .post('/auth/register')
      .send({ username: 'x', email: 'nope', password: 'short' });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).to.be.an('array').that.is.not.empty;
    for (const error of response.body.errors) {
      expect(Object.keys(error)).to.have.members(['field', 'message']);
    }
  });

  it('answers a missing token with 401 unauthorized', async () => {
    expectProblem(await api().get('/users/me'), 401, 'unauthorized');
  });
});

describe('an unexpected error', () => {
  const secretText = 'ER_PARSE_ERROR near SELECT password_hash FROM users';
  let lines: Record<string, unknown>[];
  let response: Answer;

  before(async () => {
    lines = [];
    const app = new Koa<AppState>();
    app.use(requestLog());
    // Catches what the request logs: a logger with requestLog's own bindings (its reqId),
    // writing into `lines` instead of stdout.
    app.use(async (ctx, next) => {
      const sink = {
        write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
      };
      ctx.state.log = pino({ level: 'trace' }, sink).child(ctx.state.log.bindings());
      await next();
    });
    app.use(problemDetails());
    app.use(() => {
      throw new Error(secretText);
    });
    response = await supertest(app.callback()).get('/boom');
  });

  it('becomes a generic 500 internal_error that quotes the request id', () => {
    expectProblem(response, 500, 'internal_error');
    expect(response.headers['x-request-id']).to.match(UUID);
    expect(response.body.detail).to.contain(response.headers['x-request-id']);
  });

  it('shows the client no stack trace, SQL or driver text', () => {
    for (const leak of ['ER_PARSE_ERROR', 'SELECT', 'password_hash', 'Error:', '    at ']) {
      expect(response.text, leak).not.to.contain(leak);
    }
  });

  it('is logged exactly once, in full, with the request id', () => {
    const requestId = response.headers['x-request-id'];
    const mentions = lines.filter((line) => JSON.stringify(line).includes('ER_PARSE_ERROR'));
    expect(mentions).to.have.length(1);
    const [logged] = mentions;
    expect(logged.reqId).to.equal(requestId);
    const err = logged.err as { message: string; stack: string };
    expect(err.message).to.equal(secretText);
    expect(err.stack).to.match(/^\s+at /m);
    const finished = lines.filter((line) => line.msg === 'request');
    expect(finished).to.have.length(1);
    expect(finished[0]).to.include({ reqId: requestId, status: 500 });
  });
});

describe('X-Request-Id', () => {
  it('echoes the id the client sent, on success and on error', async () => {
    const ok = await api().get('/healthz').set('X-Request-Id', 'client-id-42').expect(200);
    expect(ok.headers['x-request-id']).to.equal('client-id-42');
    const missing = await api().get('/no/such/route').set('X-Request-Id', 'client-id-43');
    expect(missing.headers['x-request-id']).to.equal('client-id-43');
  });

  it('generates a fresh id when the client sends none', async () => {
    const first = await api().get('/healthz').expect(200);
    const second = await api().get('/healthz').expect(200);
    expect(first.headers['x-request-id']).to.match(UUID);
    expect(second.headers['x-request-id']).to.match(UUID);
    expect(first.headers['x-request-id']).not.to.equal(second.headers['x-request-id']);
  });

  it('replaces an id that could forge log lines with a generated one', async () => {
    const response = await api().get('/healthz').set('X-Request-Id', 'a b"}{"level":"fatal');
    expect(response.headers['x-request-id']).to.match(UUID);
  });
});
