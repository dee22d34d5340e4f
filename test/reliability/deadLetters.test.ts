import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../models';
import { api } from '../helpers/http';
import { metricSample, metricsAuth } from '../helpers/metrics';
import { runNpmScript } from '../helpers/processes';
import {
  type Member,
  type NotificationEntry,
  type OwnChirp,
  eventually,
  notifications,
  outboxRows,
  signUp,
  startOwnChirp,
  waitForEmptyOutbox,
} from '../resilience/support';

/** Small, so a poison row dies within seconds here (the default is several minutes' worth). */
const MAX_ATTEMPTS = 3;

interface DeadLetter {
  id: string;
  jobId: string;
  attempts: number;
  lastError: string;
}

/** `npm run outbox -- ...args`, as an operator types it. */
const outboxCommand = (...args: string[]) => runNpmScript('outbox', ...args);

/** Writes an outbox row by hand, a few seconds old, so the relay takes it at its next round. */
async function writeRow(queue: string, jobId: string, payload: string): Promise<string> {
  const [id] = await sequelize.query(
    `INSERT INTO outbox (queue, job_id, payload, created_at)
     VALUES (:queue, :jobId, :payload, UTC_TIMESTAMP(3) - INTERVAL 5 SECOND)`,
    { replacements: { queue, jobId, payload }, type: QueryTypes.INSERT },
  );
  return String(id);
}

async function deadLetters(jobIds: string[]): Promise<DeadLetter[]> {
  return sequelize.query<DeadLetter>(
    `SELECT id, job_id AS jobId, attempts, last_error AS lastError FROM outbox_dead_letters
     WHERE job_id IN (:jobIds) ORDER BY id`,
    { replacements: { jobIds }, type: QueryTypes.SELECT },
  );
}

async function deadLetterGauge(): Promise<number> {
  const scrape = await api().get('/metrics').set(metricsAuth()).expect(200);
  return metricSample(scrape.text, 'chirp_outbox_dead_letters');
}

const followFrom = (list: NotificationEntry[], actor: Member) =>
  list.filter((n) => n.type === 'follow' && n.actor.id === actor.id);

const followJob = (actor: Member, user: Member) =>
  JSON.stringify({ kind: 'follow', actorId: actor.id, userId: user.id });

describe('An outbox row that can never be sent', function () {
  this.timeout(90_000);
  let chirp: OwnChirp;
  let users: Member[];

  before(async function () {
    this.timeout(45_000);
    // Rows earlier tests left in the shared outbox are relayed by this Chirp's own worker.
    chirp = await startOwnChirp({ env: { OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS) } });
    users = await Promise.all(Array.from({ length: 4 }, () => signUp(chirp)));
    await waitForEmptyOutbox();
  });

  after(async () => {
    await chirp?.stop();
  });

  it('does not hold up the rows behind it, and moves to the dead letters after its attempts', async () => {
    const [a, b, c, d] = users;
    const broken = `test:broken:${randomUUID()}`;
    const unknownQueue = `test:unknown:${randomUUID()}`;
    const brokenId = await writeRow('notifications', broken, '{"kind":"follow","actorId":');
    await writeRow('no-such-queue', unknownQueue, followJob(a, b));
    await writeRow('notifications', `test:good:${randomUUID()}`, followJob(a, c));
    await writeRow('notifications', `test:good:${randomUUID()}`, followJob(b, d));
    const gaugeBefore = await deadLetterGauge();

    // The rows written after the poison ones reach their users.
    await eventually(
      () => notifications(chirp, c),
      (list) => followFrom(list, a).length === 1,
      'the notification of the row behind the poison rows',
    );
    await eventually(
      () => notifications(chirp, d),
      (list) => followFrom(list, b).length === 1,
      'the notification of the last row',
    );

    // The poison rows are tried MAX_ATTEMPTS times, then leave the outbox with their error.
    const dead = await eventually(
      () => deadLetters([broken, unknownQueue]),
      (rows) => rows.length === 2,
      'both poison rows in outbox_dead_letters',
      45_000,
    );
    expect(dead.map((row) => row.attempts)).to.deep.equal([MAX_ATTEMPTS, MAX_ATTEMPTS]);
    expect(dead[0].lastError).to.match(/not valid JSON/);
    expect(dead[1].lastError).to.match(/no-such-queue/);
    expect(await outboxRows(), 'nothing left in the outbox').to.equal(0);
    expect(await deadLetterGauge(), 'chirp_outbox_dead_letters').to.equal(gaugeBefore + 2);

    // The operator sees them ...
    const listed = outboxCommand('dead');
    expect(listed.code, listed.output).to.equal(0);
    expect(listed.output).to.contain(broken).and.to.contain(unknownQueue);
    expect(listed.output).to.contain('not valid JSON');

    // ... repairs the payload (here by hand) and retries it: it is delivered.
    await sequelize.query('UPDATE outbox_dead_letters SET payload = :payload WHERE id = :id', {
      replacements: { payload: followJob(c, a), id: brokenId },
    });
    const retried = outboxCommand('retry', brokenId);
    expect(retried.code, retried.output).to.equal(0);
    expect(retried.output).to.contain('1 dead letter');
    await eventually(
      () => notifications(chirp, a),
      (list) => followFrom(list, c).length === 1,
      'the notification of the retried row',
    );
    expect(await deadLetters([broken])).to.have.length(0);
    expect(await deadLetterGauge()).to.equal(gaugeBefore + 1);
  });

  it('moves every dead letter back with retry --all, attempts reset', async () => {
    const jobId = `test:unknown:${randomUUID()}`;
    await writeRow('no-such-queue', jobId, '{}');
    await eventually(
      () => deadLetters([jobId]),
      (rows) => rows.length === 1,
      'the row dead',
      45_000,
    );
    // The worker is stopped: what retry put back stays where the test can look at it.
    await chirp.worker.stop('SIGKILL');
    const retried = outboxCommand('retry', '--all');
    expect(retried.code, retried.output).to.equal(0);
    const [row] = await sequelize.query<{ attempts: number; lastError: string | null }>(
      'SELECT attempts, last_error AS lastError FROM outbox WHERE job_id = :jobId',
      { replacements: { jobId }, type: QueryTypes.SELECT },
    );
    expect(row).to.deep.equal({ attempts: 0, lastError: null });
    expect(await deadLetters([jobId])).to.have.length(0);
    expect(await deadLetterGauge()).to.equal(0);
    // Left in the outbox, they would be sent by the next test's worker.
    await sequelize.query("DELETE FROM outbox WHERE job_id LIKE 'test:unknown:%'");
  });

  it('answers a usage line for an unknown command, and 1 for an unknown id', () => {
    const usage = outboxCommand('bogus');
    expect(usage.code).to.equal(64);
    expect(usage.output).to.contain('Usage: npm run outbox');
    const missing = outboxCommand('retry', '999999999');
    expect(missing.code, missing.output).to.equal(1);
    expect(missing.output).to.contain('No dead letter');
  });
});
