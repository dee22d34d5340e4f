import { QueryTypes, type Transaction } from 'sequelize';
import { execute, sequelize } from '../infra/db';
import { warnThrottled } from '../infra/timing';
import type { JobPayloads, QueueName } from './jobs';

/** Writes a job to the outbox, inside the caller's transaction when one is given. */
export async function writeOutbox<N extends QueueName>(
  queue: N,
  payload: JobPayloads[N],
  jobId: string,
  transaction?: Transaction,
): Promise<string> {
  const { insertId } = await execute(
    `INSERT INTO outbox (queue, job_id, payload, created_at)
     VALUES (:queue, :jobId, :payload, UTC_TIMESTAMP(3))`,
    { replacements: { queue, jobId, payload: JSON.stringify(payload) }, transaction },
  );
  return insertId;
}

/**
 * Rows whose job Bull took wait here a moment and leave in one DELETE, so a busy node spends
 * one round trip on many writes' rows, not one each. The relay only takes rows older than
 * its 2 s, far longer than the wait; a row left behind (a crash, a failed DELETE) is sent
 * again, and Bull takes a job id once.
 */
const DELETE_AFTER_MS = 50;
let sent: string[] = [];
let timer: NodeJS.Timeout | null = null;
let deleting: Promise<void> = Promise.resolve();

/** Deletes the rows marked sent so far; resolves once they are gone (or the DELETE failed). */
export function flushSentOutbox(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = null;
  const ids = sent;
  sent = [];
  if (ids.length > 0) {
    deleting = deleting
      .then(() => execute('DELETE FROM outbox WHERE id IN (:ids)', { replacements: { ids } }))
      .then(
        () => undefined,
        (error: unknown) =>
          warnThrottled(
            'outbox-delete',
            { err: error },
            'sent outbox rows kept; the relay resends them',
          ),
      );
  }
  return deleting;
}

/** Marks an outbox row as handed to Bull: it is deleted with the next batch. */
export function outboxRowSent(id: string): void {
  sent.push(id);
  timer ??= setTimeout(() => void flushSentOutbox(), DELETE_AFTER_MS);
}

export interface OutboxRow {
  id: string;
  queue: QueueName;
  jobId: string;
  payload: string;
}

/**
 * Hands outbox rows older than `olderThanMs` to `send`, oldest first, and deletes the ones
 * sent. Rows are locked with SKIP LOCKED, so several relays never send the same row at once.
 * The old rows are found first without locks, then locked by id: a locking scan would also
 * lock the fresh rows it passes over (InnoDB, in either isolation level) for as long as the
 * relay sends, and API nodes deleting those rows would wait for it.
 */
export async function relayOutbox(
  send: (row: OutboxRow) => Promise<void>,
  olderThanMs = 2000,
  batch = 200,
): Promise<number> {
  return sequelize.transaction(async (transaction) => {
    const old = await sequelize.query<{ id: string }>(
      `SELECT id FROM outbox WHERE created_at < UTC_TIMESTAMP(3) - INTERVAL :seconds SECOND
       ORDER BY id LIMIT :batch`,
      {
        replacements: { seconds: olderThanMs / 1000, batch },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (old.length === 0) return 0;
    const rows = await sequelize.query<OutboxRow>(
      `SELECT id, queue, job_id AS jobId, payload FROM outbox
       WHERE id IN (:ids) ORDER BY id FOR UPDATE SKIP LOCKED`,
      { replacements: { ids: old.map((row) => row.id) }, type: QueryTypes.SELECT, transaction },
    );
    const sent: string[] = [];
    for (const row of rows) {
      await send({ ...row, id: String(row.id) });
      sent.push(String(row.id));
    }
    if (sent.length > 0) {
      await execute('DELETE FROM outbox WHERE id IN (:sent)', {
        replacements: { sent },
        transaction,
      });
    }
    return sent.length;
  });
}
