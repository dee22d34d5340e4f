import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { execute } from '../../app/infra/db';
import { relayOutbox, writeOutbox } from '../../app/queue/outbox';

/**
 * The relay locks the rows it sends, in a transaction that lasts while it hands them to Bull.
 * The load test's slow query log showed API nodes' DELETEs of fresh, already-sent rows
 * waiting on it (up to 169 ms): it must lock only the rows it takes.
 */
describe('The outbox relay, while it sends old rows', function () {
  this.timeout(20_000);

  it('does not hold up the delete of a fresh row an API node just sent', async () => {
    await execute(
      `INSERT INTO outbox (queue, job_id, payload, created_at)
       VALUES ('mail', :jobId, '{}', UTC_TIMESTAMP(3) - INTERVAL 10 SECOND)`,
      { replacements: { jobId: `old:${randomUUID()}` } },
    );
    const fresh = await writeOutbox(
      'mail',
      { kind: 'passwordReset', resetId: '1' },
      `fresh:${randomUUID()}`,
    );
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = () => undefined as void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    const relaying = relayOutbox(async () => {
      started();
      await held;
    });
    try {
      await sending;
      const deleted = execute('DELETE FROM outbox WHERE id = :fresh', { replacements: { fresh } });
      const first = await Promise.race([
        deleted.then(() => 'deleted'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting for the relay'), 3000)),
      ]);
      expect(first).to.equal('deleted');
      await deleted;
    } finally {
      release();
      await relaying;
    }
  });
});
