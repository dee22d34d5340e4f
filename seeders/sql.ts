import { select, sequelize } from '../app/infra/db';

/**
 * Multi-row INSERTs for the bulk seeder: one statement per batch instead of one ORM call per
 * row (a million rows through the ORM take an hour; through batches, seconds).
 */

/** Ids of consecutive rows from one multi-row INSERT: first, first + step, ... */
export interface InsertedBlock {
  firstId: number;
  count: number;
}

let incrementStep: number | undefined;

/**
 * The auto-increment step of this server (1 unless replication spreads ids). A multi-row
 * INSERT with a known row count takes its ids as one consecutive block in InnoDB's
 * "consecutive" (1) and "interleaved" (2) lock modes alike, so its ids are first + k × step.
 */
export async function autoIncrementStep(): Promise<number> {
  if (incrementStep === undefined) {
    const [row] = await select<{ step: number }>('SELECT @@auto_increment_increment AS step');
    incrementStep = Number(row?.step ?? 1);
  }
  return incrementStep;
}

/**
 * The ids a multi-row INSERT of `count` rows (a data module's bulk insert) took; throws
 * unless every row went in, since callers map rows to ids by position.
 */
export function insertedBlock(
  table: string,
  count: number,
  result: { affectedRows: number; insertId: string },
): InsertedBlock {
  if (result.affectedRows !== count) {
    throw new Error(`${table}: ${result.affectedRows} of ${count} rows were inserted`);
  }
  return { firstId: Number(result.insertId), count };
}

/** A string as a SQL literal. */
export const quote = (value: string): string => sequelize.escape(value);

/** A date as a DATETIME(3) literal in UTC (the connection's time zone). */
export const sqlDate = (date: Date): string =>
  `'${date.toISOString().slice(0, 23).replace('T', ' ')}'`;

/**
 * Keeps up to `concurrency` batch statements running while the next batch is generated, so
 * the generator and MySQL work at the same time. The first failure is thrown by the next
 * `submit` or by `drain`.
 */
export class BatchWriter {
  private readonly running: Promise<void>[] = [];

  constructor(private readonly concurrency: number) {}

  async submit(work: () => Promise<void>): Promise<void> {
    if (this.running.length >= this.concurrency) await this.running.shift();
    const job = work();
    // Observed now so that a failure waiting its turn is not an unhandled rejection.
    job.catch(() => undefined);
    this.running.push(job);
  }

  async drain(): Promise<void> {
    while (this.running.length > 0) await this.running.shift();
  }
}

/** Collects rows and writes them `size` at a time through a BatchWriter. */
export class RowBuffer {
  private rows: string[] = [];
  private readonly writer: BatchWriter;

  constructor(
    private readonly size: number,
    concurrency: number,
    private readonly write: (rows: string[]) => Promise<void>,
  ) {
    this.writer = new BatchWriter(concurrency);
  }

  /** Adds rows, writing a batch once `size` are waiting. */
  async push(rows: string[]): Promise<void> {
    this.rows.push(...rows);
    if (this.rows.length >= this.size) await this.flush();
  }

  /** Writes what is waiting and waits for every write to finish. */
  async finish(): Promise<void> {
    await this.flush();
    await this.writer.drain();
  }

  private async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const batch = this.rows;
    this.rows = [];
    await this.writer.submit(() => this.write(batch));
  }
}
