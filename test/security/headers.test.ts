import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';

/**
 * What every answer carries, whatever path made it: helmet's security headers (recorded once
 * at start-up, app/http/securityHeaders.ts), the request id, CORS and the rate-limit headers.
 */
describe('Security headers on API answers', () => {
  let alice: TestUser;

  before(async () => {
    alice = await registerUser();
  });

  const expectSecurityHeaders = (headers: Record<string, string>) => {
    expect(headers['x-content-type-options']).to.equal('nosniff');
    expect(headers['x-frame-options']).to.equal('SAMEORIGIN');
    expect(headers['strict-transport-security']).to.equal('max-age=31536000; includeSubDomains');
    expect(headers['referrer-policy']).to.equal('no-referrer');
    expect(headers['cross-origin-opener-policy']).to.equal('same-origin');
    expect(headers['content-security-policy']).to.include("default-src 'self'");
    expect(headers['content-security-policy']).to.include("style-src 'self' 'unsafe-inline'");
    expect(headers['content-security-policy']).to.include("img-src 'self' data:");
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
});
