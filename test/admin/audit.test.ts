import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { runNpmScript } from '../helpers/processes';
import { postTweet } from '../helpers/socialGraph';
import { auditOf, makeAdmin, moderate } from './support';

interface AuditPage {
  data: { id: string; action: string }[];
  nextCursor: string | null;
}

const audit = (viewer: TestUser, query = '') =>
  api().get(`/admin/audit${query}`).set(bearer(viewer.accessToken));

describe('DELETE /tweets/:id by an admin', function () {
  this.timeout(30_000);
  let admin: TestUser;
  let author: TestUser;

  before(async () => {
    [admin, author] = await Promise.all([registerUser(), registerUser()]);
    await makeAdmin(admin);
  });

  it("removes another account's tweet, counts it off its author and writes the audit log", async () => {
    const tweet = await postTweet(author, 'against the rules');
    await api().delete(`/tweets/${tweet.id}`).set(bearer(admin.accessToken)).expect(204);
    await api().get(`/tweets/${tweet.id}`).set(bearer(author.accessToken)).expect(404);
    const me = await api().get('/users/me').set(bearer(author.accessToken)).expect(200);
    expect(me.body).to.include({ tweetsCount: 0 });
    const [entry] = await auditOf(admin, author.id);
    expect(entry).to.deep.include({
      action: 'delete_tweet',
      admin: { id: admin.id, username: admin.username },
      targetUser: { id: author.id, username: author.username },
      targetTweetId: tweet.id,
      reason: null,
    });
  });

  it('still refuses anyone else with 403 forbidden, and writes nothing', async () => {
    const tweet = await postTweet(author, 'mine alone');
    const stranger = await registerUser();
    const response = await api().delete(`/tweets/${tweet.id}`).set(bearer(stranger.accessToken));
    expectProblem(response, 403, 'forbidden');
    await api().get(`/tweets/${tweet.id}`).set(bearer(author.accessToken)).expect(200);
    const actions = (await auditOf(admin, author.id)).map((entry) => entry.action);
    expect(actions).to.deep.equal(['delete_tweet']);
  });
});

describe('GET /admin/audit', function () {
  this.timeout(60_000);
  let admin: TestUser;

  before(async () => {
    admin = await registerUser();
    await makeAdmin(admin);
  });

  it('answers 403 forbidden to a user who is not an admin', async () => {
    expectProblem(await audit(await registerUser()), 403, 'forbidden');
  });

  it('refuses a cursor it did not give out with 400', async () => {
    expectProblem(await audit(admin, '?cursor=garbage'), 400, 'validation_failed');
  });

  it('lists newest first, and limit=1 pages walk it with no repeat and no skip', async () => {
    const targets = await Promise.all([registerUser(), registerUser(), registerUser()]);
    for (const target of targets) {
      expect((await moderate(null, admin, 'suspend', target.id)).status).to.equal(200);
    }
    const first = (await audit(admin, '?limit=100').expect(200)).body as AuditPage;
    const walked: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const query: string = `?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await audit(admin, query).expect(200)).body as AuditPage;
      walked.push(...body.data.map((entry) => entry.id));
      cursor = body.nextCursor;
    }
    expect(walked).to.deep.equal(first.data.slice(0, 3).map((entry) => entry.id));
    const ids = first.data.map((entry) => BigInt(entry.id));
    expect(ids).to.deep.equal([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
  });

  it('lists admin:grant and its --revoke, made from the command line (no admin)', async () => {
    const user = await registerUser();
    expect(runNpmScript('admin:grant', user.username).code).to.equal(0);
    expect(runNpmScript('admin:grant', '--revoke', user.username).code).to.equal(0);
    const entries = await auditOf(admin, user.id);
    expect(entries.map((entry) => [entry.action, entry.admin])).to.deep.equal([
      ['revoke_admin', null],
      ['grant_admin', null],
    ]);
  });
});
