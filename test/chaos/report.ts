import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Row } from './scenarios';

const COLUMNS: [string, (row: Row) => string | number][] = [
  ['scenario', (row) => row.scenario],
  ['writes acked', (row) => row.writesAcked],
  ['lost in MySQL', (row) => row.lostInMysql],
  ['lost in timelines', (row) => row.lostInTimelines],
  ['lost notifications', (row) => row.lostNotifications],
  ['duplicates', (row) => row.timelineDuplicates + row.notificationDuplicates],
  [
    'counters wrong (MySQL / API)',
    (row) => `${row.counterMismatches} / ${row.apiCounterMismatches}`,
  ],
  ['socket events missed', (row) => `${row.socketMissed} of ${row.socketExpected}`],
  ['requests', (row) => row.requests],
  ['5xx', (row) => row.serverErrors],
  ['no answer', (row) => row.unanswered],
  [
    'recovered in',
    (row) => (row.recoverMs === null ? 'not in 90 s' : `${(row.recoverMs / 1000).toFixed(1)} s`),
  ],
];

/** The rows as a markdown table, one line per scenario, with each scenario's own figures below. */
export function markdownTable(rows: Row[]): string {
  const lines = [
    `| ${COLUMNS.map(([title]) => title).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${COLUMNS.map(([, cell]) => cell(row)).join(' | ')} |`),
  ];
  const extras = rows
    .filter((row) => Object.keys(row.extra).length > 0 || row.details.length > 0)
    .map(
      (row) =>
        `- ${row.scenario}: ${[...Object.entries(row.extra).map(([k, v]) => `${k} ${v}`), ...row.details].join('; ')}`,
    );
  return [...lines, '', ...extras].join('\n');
}

/** A row shows a loss or a duplicate: a bug to report, never a figure to hide. */
export function failures(row: Row): string[] {
  const found: [string, number][] = [
    ['acknowledged writes lost in MySQL', row.lostInMysql],
    ['timeline entries lost', row.lostInTimelines],
    ['notifications lost', row.lostNotifications],
    ['duplicates', row.timelineDuplicates + row.notificationDuplicates],
    ['counters wrong in MySQL', row.counterMismatches],
    ['counters wrong through the API', row.apiCounterMismatches],
    ['5xx answers other than 503', row.serverErrorsNot503 ?? 0],
    ['fan-out timelines missing', Number(row.extra.timelinesMissingAfter ?? 0)],
  ];
  return found.filter(([, n]) => n > 0).map(([what, n]) => `${row.scenario}: ${n} ${what}`);
}

/** Writes the run (date, command, rows, skipped scenarios) as JSON; answers the file's path. */
export function writeRun(
  directory: string,
  run: { command: string; rows: Row[]; failed: string[]; notRun: Record<string, string> },
): string {
  mkdirSync(directory, { recursive: true });
  const date = new Date().toISOString();
  const file = path.join(directory, `${date.slice(0, 19).replace(/:/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ date, ...run }, null, 2)}\n`);
  return file;
}
