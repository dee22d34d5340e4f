import { expect } from 'chai';
import { User } from '../../models';
import { api, registerUser, type TestUser } from '../helpers/http';

const BOARD = '/admin/queues';

async function registerAdmin(): Promise<TestUser> {
  const admin = await registerUser();
  await User.update({ role: 'admin' }, { where: { id: admin.id } });
  return admin;
}

const setCookies = (headers: Record<string, unknown>) =>
  ([] as string[]).concat((headers['set-cookie'] as string[] | undefined) ?? []);

describe('signing in to the queue board without a token in a URL', () => {
  it('ignores an access token given in the query: no cookie, only the sign-in page', async () => {
    const admin = await registerAdmin();
    const response = await api().get(`${BOARD}?token=${admin.accessToken}`);
    expect(response.status).to.equal(200);
    expect(response.type).to.equal('text/html');
    expect(setCookies(response.headers)).to.be.empty;
  });

  it('serves a sign-in page that posts the token from a script file, not inline', async () => {
    const page = await api().get(BOARD).expect(200);
    expect(page.text).to.match(/<form\b[^>]*method="post"/);
    expect(page.text).to.match(/<input\b[^>]*type="password"/);
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts).to.have.length(1);
    const [, attributes, inline] = scripts[0];
    expect(inline.trim(), 'inline script').to.equal('');
    const src = /\bsrc="([^"]+)"/.exec(attributes)?.[1] ?? '';
    const script = await api().get(src).expect(200);
    expect(script.type).to.match(/^(text|application)\/javascript$/);
    expect(script.text).to.contain(`fetch('${BOARD}'`);
  });

  it('signs an admin in from a JSON body, with an HttpOnly, SameSite=Strict cookie', async () => {
    const admin = await registerAdmin();
    const response = await api().post(BOARD).send({ token: admin.accessToken });
    expect(response.status).to.equal(204);
    expect(response.headers['cache-control']).to.equal('no-store');
    const cookie = setCookies(response.headers).find((line) => line.startsWith('chirp_admin='));
    expect(cookie).to.be.a('string');
    expect(cookie).to.contain('HttpOnly').and.to.contain('SameSite=Strict');
  });
});
