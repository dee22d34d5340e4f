import { expect } from 'chai';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { TcpRelay } from '../helpers/services';
import { type Member, call, expectCall, signUp } from '../resilience/support';

/**
 * Popular tweets and trending tags are read from a snapshot in the cache role, which may
 * evict it (allkeys-lru) or lose it with a restart between the check that it is there and
 * the read of its page. The API node here reaches its cache through a relay that deletes the
 * snapshots the moment the node asks for a page of one: a first page (no cursor) must still
 * answer the ranking, not a 400 about a cursor never sent, nor an empty list.
 */
describe('The first page of a ranking whose snapshot vanishes before it is read', function () {
  this.timeout(60_000);
  let relay: TcpRelay;
  let node: ApiNode;

  before(async function () {
    this.timeout(40_000);
    const main = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
    relay = await TcpRelay.create({ host: main.hostname, port: Number(main.port || 6379) });
    await relay.open();
    node = await startApiNode({
      REDIS_CACHE_URL: `redis://127.0.0.1:${relay.port}${main.pathname}`,
      LOG_LEVEL: 'warn',
    });
  });

  afterEach(() => {
    relay.beforeToTarget = null;
  });

  after(async () => {
    await node?.stop();
    await relay?.close();
  });

  /**
   * GET `path` as `member` while the node's first read of a snapshot named `prefix…` finds
   * it gone (the relay deletes them all as that read goes out); answers the 200's body.
   */
  async function readWhileSnapshotsVanish(path: string, prefix: string, member: Member) {
    let dropped = false;
    relay.beforeToTarget = async (chunk) => {
      const text = chunk.toString('latin1');
      if (dropped || !/zrevrangebyscore/i.test(text) || !text.includes(prefix)) return;
      dropped = true;
      const snapshots = await redis.keys(`${prefix}*`);
      if (snapshots.length > 0) await redis.del(...snapshots);
    };
    const answer = await call(node, 'GET', path, { token: member.accessToken });
    expect(dropped, 'the snapshot was deleted before its page was read').to.equal(true);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return answer.body as { data: Record<string, unknown>[] };
  }

  it('answers the same first page of popular tweets as a moment before, not a 400', async () => {
    const ada = await signUp(node);
    const { body: tweet } = await expectCall(node, 201, 'POST', '/tweets', {
      token: ada.accessToken,
      body: { content: 'liked, so ranked' },
    });
    const { id } = tweet as { id: string };
    await expectCall(node, 200, 'POST', `/tweets/${id}/like`, { token: ada.accessToken });
    // Other tests' tweets may outrank this one on the first page: the whole page is compared.
    const { body: before } = await expectCall(node, 200, 'GET', '/tweets/popular', {
      token: ada.accessToken,
    });
    expect((before as { data: unknown[] }).data).to.not.be.empty;

    const after = await readWhileSnapshotsVanish('/tweets/popular', keys.popularSnapshot(''), ada);
    // The cursor names the new snapshot; the page is the same.
    expect(after.data).to.deep.equal((before as { data: unknown[] }).data);
  });

  it('answers the same trending tags as a moment before, not an empty list', async () => {
    const bea = await signUp(node);
    await expectCall(node, 201, 'POST', '/tweets', {
      token: bea.accessToken,
      body: { content: `about #vanish${Date.now().toString(36)}` },
    });
    // Other tests' tags may outrank this one in the top 10: the whole answer is compared.
    const { body: before } = await expectCall(node, 200, 'GET', '/hashtags/trending', {
      token: bea.accessToken,
    });
    expect((before as { data: unknown[] }).data).to.not.be.empty;

    const after = await readWhileSnapshotsVanish(
      '/hashtags/trending',
      keys.trendingSnapshot(''),
      bea,
    );
    expect(after).to.deep.equal(before);
  });
});
