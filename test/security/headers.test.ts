import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';

/**
 * What every answer carries, whatever path made it: the API's strict security headers (a
 * policy allowing nothing, no framing), the request id, CORS and the rate-limit headers; an
 * HTML page carries helmet's page set instead (app/http/securityHeaders.ts, decision 0021).
 */
describe('Security headers on API answers', () => {
  let alice: TestUser;

  before(async () => {
    alice = await registerUser();
  });

  const expectSecurityHeaders = (headers: Record<string, string>) => {
    expect(headers['content-security-policy']).to.equal(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(headers['x-frame-options']).to.equal('DENY');
    expect(headers['x-content-type-options']).to.equal('nosniff');
    expect(headers['strict-transport-security']).to.equal('max-age=31536000; includeSubDomains');
    expect(headers['referrer-policy']).to.equal('no-referrer');
    expect(headers['cross-origin-resource-policy']).to.equal('same-origin');
    // Only a browsing context reads these: not sent with JSON.
    expect(headers).not.to.have.property('cross-origin-opener-policy');
    expect(headers).not.to.have.property('x-dns-prefetch-control');
  };

  it('sends them with the home timeline, beside its request id, CORS and rate-limit headers', async () => {
    const response = await api().get('/tweets').set(bearer(alice.accessToken)).expect(200);
    expectSecurityHeaders(response.headers);
    expect(response.headers['x-request-id']).to.be.a('string').and.not.equal('');
    expect(response.headers['access-control-expose-headers']).to.include('RateLimit-Remaining');
    expect(response.headers['ratelimit-limit']).to.be.a('string');
  });

  it('sends them with a problem (401) too', async () => {
    const response = await api().get('/tweets').expect(401);
    expectSecurityHeaders(response.headers);
  });

  it("gives the API docs page helmet's page policy, which lets Swagger UI load its own files", async () => {
    const response = await api().get('/docs').expect(200);
    expect(response.headers['content-type']).to.match(/^text\/html/);
    const policy = response.headers['content-security-policy'];
    expect(policy).to.include("default-src 'self'");
    expect(policy).to.include("script-src 'self'");
    expect(policy).to.include("style-src 'self' 'unsafe-inline'");
    expect(policy).to.include("img-src 'self' data:");
    expect(response.headers['x-frame-options']).to.equal('SAMEORIGIN');
    expect(response.headers['cross-origin-opener-policy']).to.equal('same-origin');
    expect(response.headers['x-content-type-options']).to.equal('nosniff');
  });

  it("keeps the strict policy on the docs page's script files and on the OpenAPI document", async () => {
    for (const path of ['/docs/init.js', '/openapi.json']) {
      const response = await api().get(path).expect(200);
      expectSecurityHeaders(response.headers);
    }
  });
});
