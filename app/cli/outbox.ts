/**
 * `npm run outbox -- dead`: lists the outbox jobs the relay gave up on (id, queue, job id,
 * attempts, last error, age). `npm run outbox -- retry <id>... | --all`: moves them back to the
 * outbox, attempts reset, for the workers' relay to send again (fix the cause first: a worker
 * that knows the queue, a Redis that takes writes, a repaired payload).
 */
import { type DeadLetter, listDeadLetters, retryDeadLetters } from '../queue/deadLetterRecords';
import { runCommand } from './command';

const USAGE = 'Usage: npm run outbox -- dead | retry <id>... | retry --all\n';

function age(since: Date): string {
  const seconds = Math.max(0, Math.round((Date.now() - since.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

function table(letters: DeadLetter[]): string {
  const rows = [
    ['id', 'queue', 'job id', 'attempts', 'dead for', 'age', 'last error'],
    ...letters.map((letter) => [
      letter.id,
      letter.queue,
      letter.jobId,
      String(letter.attempts),
      age(new Date(letter.deadAt)),
      age(new Date(letter.createdAt)),
      letter.lastError,
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  '))
    .join('\n');
}

async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'dead' && rest.length === 0) {
    const letters = await listDeadLetters();
    process.stdout.write(
      letters.length === 0
        ? 'No dead letters.\n'
        : `${table(letters)}\n${letters.length} dead letter(s).\n`,
    );
    return 0;
  }
  const all = rest.length === 1 && rest[0] === '--all';
  if (
    command !== 'retry' ||
    rest.length === 0 ||
    (!all && !rest.every((id) => /^\d{1,20}$/.test(id)))
  ) {
    process.stderr.write(USAGE);
    return 64; // EX_USAGE
  }
  const moved = await retryDeadLetters(all ? 'all' : rest);
  if (!all && moved < rest.length) {
    process.stderr.write(
      `No dead letter with ${rest.length === 1 ? 'that id' : 'some of those ids'}; ${moved} dead letter(s) moved back to the outbox.\n`,
    );
    return 1;
  }
  process.stdout.write(
    `${moved} dead letter(s) moved back to the outbox; the relay sends them within seconds.\n`,
  );
  return 0;
}

runCommand('Could not read the dead letters (is MySQL running?)', () => run(process.argv.slice(2)));
