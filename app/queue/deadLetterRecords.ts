import { type Transaction } from 'sequelize';
import { select, execute, sequelize } from '../infra/db';
import { deleteOutboxRows } from './outboxRecords';

/**
 * The `outbox_dead_letters` table (outbox rows the relay gave up on): every SQL statement on
 * it lives here, the moves between it and the outbox included (one INSERT … SELECT each way;
 * the outbox's own DELETE is in outboxRecords.ts). Raw SQL, no model: the moves are
 * set-based statements a model would spell as a read and a write per row.
 */

/** An outbox row the relay gave up on, as the operator command lists it. */
export interface DeadLetter {
  id: string;
  queue: string;
  jobId: string;
  attempts: number;
  lastError: string;
  createdAt: Date;
  deadAt: Date;
}

/** Every dead letter, oldest first. */
export async function listDeadLetters(): Promise<DeadLetter[]> {
  const rows = await select<DeadLetter>(
    `SELECT id, queue, job_id AS jobId, attempts, last_error AS lastError,
       created_at AS createdAt, dead_at AS deadAt
     FROM outbox_dead_letters ORDER BY id`,
    { useMaster: true },
  );
  return rows.map((row) => ({ ...row, id: String(row.id), attempts: Number(row.attempts) }));
}

/** How many there are (read at each /metrics scrape). */
export async function countDeadLetters(): Promise<number> {
  const [row] = await select<{ count: number }>(
    'SELECT COUNT(*) AS count FROM outbox_dead_letters',
  );
  return Number(row.count);
}

/**
 * Moves dead letters (those ids, or all) back to the outbox under their own ids, attempts
 * and error cleared, in one transaction; the relay sends them at its next round. Answers how
 * many moved.
 */
export async function retryDeadLetters(ids: string[] | 'all'): Promise<number> {
  const which = ids === 'all' ? '' : 'WHERE id IN (:ids)';
  return sequelize.transaction(async (transaction) => {
    const locked = await select<{ id: string }>(
      `SELECT id FROM outbox_dead_letters ${which} ORDER BY id FOR UPDATE`,
      { replacements: { ids }, transaction },
    );
    if (locked.length === 0) return 0;
    const moving = { ids: locked.map((row) => String(row.id)) };
    await execute(
      `INSERT INTO outbox (id, queue, job_id, payload, attempts, created_at)
       SELECT id, queue, job_id, payload, 0, created_at FROM outbox_dead_letters
       WHERE id IN (:ids)`,
      { replacements: moving, transaction },
    );
    await execute('DELETE FROM outbox_dead_letters WHERE id IN (:ids)', {
      replacements: moving,
      transaction,
    });
    return locked.length;
  });
}

/** An outbox row's failed send: the relay postpones it, or moves it here after its last try. */
export interface Failure {
  id: string;
  attempts: number;
  error: string;
}

/** Moves outbox rows that failed their last attempt here, in the relay's transaction. */
export async function moveToDeadLetters(dead: Failure[], transaction: Transaction): Promise<void> {
  for (const failure of dead) {
    await execute(
      `INSERT INTO outbox_dead_letters
         (id, queue, job_id, payload, attempts, last_error, created_at, dead_at)
       SELECT id, queue, job_id, payload, :attempts, :error, created_at, UTC_TIMESTAMP(3)
       FROM outbox WHERE id = :id`,
      { replacements: { ...failure }, transaction },
    );
  }
  await deleteOutboxRows(
    dead.map((failure) => failure.id),
    transaction,
  );
}
