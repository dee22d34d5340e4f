import { type Transaction } from 'sequelize';
import { select, execute } from '../infra/db';

/**
 * The `outbox` table (jobs written in their action's transaction, sent to Bull by the relay):
 * every SQL statement on it lives here. Raw SQL, no model: the relay's reads lock by id with
 * SKIP LOCKED, deletes go by the batch, and the backoff is date arithmetic in MySQL.
 */

export interface OutboxRow {
  id: string;
  /** A queue name (checked by the relay: a row is data, not a promise of a known queue). */
  queue: string;
  jobId: string;
  payload: string;
  /** Failed sends so far. */
  attempts: number;
}

/** Adds a job's row (its payload already JSON); answers its id. */
export async function insertOutboxRow(
  queue: string,
  jobId: string,
  payload: string,
  transaction?: Transaction,
): Promise<string> {
  const { insertId } = await execute(
    `INSERT INTO outbox (queue, job_id, payload, created_at)
     VALUES (:queue, :jobId, :payload, UTC_TIMESTAMP(3))`,
    { replacements: { queue, jobId, payload }, transaction },
  );
  return insertId;
}

/** Deletes these rows (sent, or moved to the dead letters). */
export async function deleteOutboxRows(ids: string[], transaction?: Transaction): Promise<void> {
  await execute('DELETE FROM outbox WHERE id IN (:ids)', { replacements: { ids }, transaction });
}

/**
 * Ids of up to `batch` rows older than `olderThanSeconds` whose next attempt is due, oldest
 * first, read without locks (a locking scan would also lock the fresh rows it passes over).
 */
export async function dueOutboxIds(
  olderThanSeconds: number,
  batch: number,
  transaction: Transaction,
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    `SELECT id FROM outbox WHERE created_at < UTC_TIMESTAMP(3) - INTERVAL :seconds SECOND
     AND (next_attempt_at IS NULL OR next_attempt_at <= UTC_TIMESTAMP(3))
     ORDER BY id LIMIT :batch`,
    { replacements: { seconds: olderThanSeconds, batch }, transaction },
  );
  return rows.map((row) => String(row.id));
}

/** Locks these rows for the transaction, skipping those another relay holds; oldest first. */
export async function lockOutboxRows(
  ids: string[],
  transaction: Transaction,
): Promise<OutboxRow[]> {
  const rows = await select<OutboxRow>(
    `SELECT id, queue, job_id AS jobId, payload, attempts FROM outbox
     WHERE id IN (:ids) ORDER BY id FOR UPDATE SKIP LOCKED`,
    { replacements: { ids }, transaction },
  );
  return rows.map((row) => ({ ...row, id: String(row.id), attempts: Number(row.attempts) }));
}

/** Records a failed send: its attempt count and error, and its next attempt `waitSeconds` on. */
export async function postponeOutboxRow(
  failure: { id: string; attempts: number; error: string },
  waitSeconds: number,
  transaction: Transaction,
): Promise<void> {
  await execute(
    `UPDATE outbox SET attempts = :attempts, last_error = :error,
     next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL :wait SECOND WHERE id = :id`,
    { replacements: { ...failure, wait: waitSeconds }, transaction },
  );
}
