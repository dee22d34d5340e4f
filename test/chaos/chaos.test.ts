import { expect } from 'chai';
import { failures } from './report';
import { runScenario, SCENARIOS } from './scenarios';

/**
 * One scenario of `npm run chaos` in the normal suite, shortened to fit its time: the Redis
 * connection is cut by a TCP relay for 3 s under the steady load of real clients (REST and
 * Socket.IO), then restored. The full table (every scenario, 10 s faults) is `npm run chaos`.
 */
describe('chaos: the Redis connection cut under load', function () {
  this.timeout(180_000);

  it('loses no acknowledged write, doubles none, and every node serves again', async () => {
    const scenario = SCENARIOS.find((s) => s.key === 'redis_cut')!;
    const row = await runScenario(scenario, {
      faultMs: 3000,
      database: 'chirp_chaos_suite_redis_cut',
    });
    expect(row.writesAcked, 'the load made acknowledged writes').to.be.greaterThan(10);
    expect(failures(row), JSON.stringify(row.details)).to.deep.equal([]);
    expect(row.serverErrors, '5xx answers').to.equal(0);
    expect(row.recoverMs, 'every node ready and serving a timeline again').to.not.equal(null);
  });
});
