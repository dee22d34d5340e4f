import type { Transaction } from 'sequelize';
import { config } from '../../config';
import { sequelize } from '../infra/db';
import { warnThrottled } from '../infra/timing';
import { moveToDeadLetters, type Failure } from './deadLetterRecords';
import type { JobPayloads, QueueName } from './jobs';
import {
  deleteOutboxRows,
  dueOutboxIds,
  insertOutboxRow,
  lockOutboxRows,
  postponeOutboxRow,
  type OutboxRow,
} from './outboxRecords';

/** Writes a job to the outbox, inside the caller's transaction when one is given. */
export async function writeOutbox<N extends QueueName>(
  queue: N,
  payload: JobPayloads[N],
  jobId: string,
  transaction?: Transaction,
): Promise<string> {
  return insertOutboxRow(queue, jobId, JSON.stringify(payload), transaction);
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
      .then(() => deleteOutboxRows(ids))
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

/**
 * Thrown by a relay's `send` when the row is not at fault (Redis away or not answering): the
 * round stops there and no attempt is counted, so an outage never kills healthy rows.
 */
export class RelayPaused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RelayPaused';
  }
}

/** What one round of the relay did. */
export interface RelayRound {
  sent: number;
  /** Rows that failed and wait for their next attempt. */
  retried: number;
  /** Rows moved to outbox_dead_letters. */
  dead: number;
  /** Set when `send` threw RelayPaused: the rows after it wait for the next round. */
  paused: RelayPaused | null;
}

export interface RelayOptions {
  olderThanMs?: number;
  batch?: number;
  /** Failed sends after which a row is dead (OUTBOX_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

/** The wait before a row's next attempt: 2, 4, 8 ... seconds, at most five minutes. */
const backoffSeconds = (attempts: number) => Math.min(2 ** attempts, 300);
const LAST_ERROR_CHARS = 1000;

/**
 * Hands due outbox rows older than `olderThanMs` to `send`, oldest first, and deletes the ones
 * sent. A row whose send fails never stops the rows after it: it counts an attempt, keeps its
 * error and waits 2^attempts s; at `maxAttempts` it moves to outbox_dead_letters, in this same
 * transaction. Rows are locked with SKIP LOCKED, so several relays never send the same row at
 * once. The old rows are found first without locks, then locked by id: a locking scan would
 * also lock the fresh rows it passes over (InnoDB, in either isolation level) for as long as
 * the relay sends, and API nodes deleting those rows would wait for it.
 */
export async function relayOutbox(
  send: (row: OutboxRow) => Promise<void>,
  { olderThanMs = 2000, batch = 200, maxAttempts = config.outboxMaxAttempts }: RelayOptions = {},
): Promise<RelayRound> {
  return sequelize.transaction(async (transaction) => {
    const rows = await lockDueRows(olderThanMs, batch, transaction);
    const sent: string[] = [];
    const failed: Failure[] = [];
    let paused: RelayPaused | null = null;
    for (const row of rows) {
      try {
        await send(row);
        sent.push(row.id);
      } catch (error) {
        if (error instanceof RelayPaused) {
          paused = error;
          break;
        }
        failed.push({ id: row.id, attempts: row.attempts + 1, error: errorText(error) });
      }
    }
    if (sent.length > 0) await deleteOutboxRows(sent, transaction);
    const dead = failed.filter((failure) => failure.attempts >= maxAttempts);
    for (const failure of failed) {
      if (failure.attempts < maxAttempts) {
        await postponeOutboxRow(failure, backoffSeconds(failure.attempts), transaction);
      }
    }
    if (dead.length > 0) await moveToDeadLetters(dead, transaction);
    return { sent: sent.length, retried: failed.length - dead.length, dead: dead.length, paused };
  });
}

async function lockDueRows(
  olderThanMs: number,
  batch: number,
  transaction: Transaction,
): Promise<OutboxRow[]> {
  const old = await dueOutboxIds(olderThanMs / 1000, batch, transaction);
  return old.length === 0 ? [] : lockOutboxRows(old, transaction);
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, LAST_ERROR_CHARS);
}
