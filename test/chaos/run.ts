/**
 * `npm run chaos [scenario ...]`: each fault scenario in a Chirp of its own under a steady
 * load, then what was lost, doubled or missed. Prints a markdown table and writes the run to
 * docs/reliability/<date>.json. Exits 1 when any row shows a loss or a duplicate.
 */
import path from 'node:path';
import { failures, markdownTable, writeRun } from './report';
import { NOT_RUN, type Row, runScenario, SCENARIOS } from './scenarios';

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((key) => !SCENARIOS.some((s) => s.key === key));
  if (unknown.length > 0) {
    console.error(
      `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.key).join(', ')}`,
    );
    return 2;
  }
  const chosen = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.key)) : SCENARIOS;
  const rows: Row[] = [];
  const failed: string[] = [];
  for (const scenario of chosen) {
    console.error(`chaos: ${scenario.key}: ${scenario.fault}`);
    try {
      rows.push(await runScenario(scenario));
    } catch (error) {
      // One scenario that could not run must not hide the others' figures.
      console.error(error);
      failed.push(`${scenario.key}: did not run to the end: ${String(error).split('\n')[0]}`);
      continue;
    }
    console.error(markdownTable(rows.slice(-1)));
  }
  const command = `npm run chaos${wanted.length ? ` -- ${wanted.join(' ')}` : ''}`;
  const file = writeRun(path.resolve(__dirname, '../../docs/reliability'), {
    command,
    rows,
    failed,
    notRun: NOT_RUN,
  });
  console.log(`${new Date().toISOString().slice(0, 10)}, \`${command}\`\n`);
  console.log(markdownTable(rows));
  for (const [key, why] of Object.entries(NOT_RUN)) console.log(`- not run: ${key}: ${why}`);
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
  for (const failure of failed) console.log(`- failed: ${failure}`);
  const bugs = [...rows.flatMap(failures), ...failed];
  for (const bug of bugs) console.log(`BUG: ${bug}`);
  return bugs.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
