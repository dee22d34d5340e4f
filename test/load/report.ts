/** docs/perf/<date>/: result.json, summary.md and SVG plots (Vega-Lite, rendered headless). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Vega from 'vega';
import { ARTILLERY_VERSION, failures, type Period } from './artillery';
import type { Group } from './cpu';
import { DELIVERY_P99_MS, MIXED_P99_MS, type Step } from './steps';

interface Run {
  target: string;
  machine: string;
  seed: string;
  mixed: Step[];
  sockets: Step[];
}

const ROOT = path.resolve(__dirname, '../..');
const GROUPS: Group[] = ['api', 'worker', 'mysql', 'redis', 'artillery'];

// vega-lite's types resolve only under `moduleResolution: node16+`; this is the part used.
type TopLevelSpec = Record<string, unknown>;
const VEGA_LITE: string = 'vega-lite';
// vega is ESM with top-level await: loaded through import(), never require().
const VEGA: string = 'vega';

async function svg(spec: TopLevelSpec): Promise<string> {
  const { compile } = (await import(VEGA_LITE)) as {
    compile: (s: TopLevelSpec) => { spec: Vega.Spec };
  };
  const vega = (await import(VEGA)) as typeof Vega;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

/** One row per 10 s Artillery period and series, seconds from the start of the run. */
function series(
  steps: Step[],
  start: number,
  pick: (p: Period) => Record<string, number | undefined>,
) {
  return steps.flatMap((step) =>
    step.report.intermediate.flatMap((p) =>
      Object.entries(pick(p))
        .filter((e): e is [string, number] => e[1] !== undefined)
        .map(([name, value]) => ({
          t: (Number(p.period) - start) / 1000,
          name,
          value,
          step: step.load,
        })),
    ),
  );
}

function line(title: string, values: object[], y: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds into the ramp' },
      y: { field: 'value', type: 'quantitative', title: y },
      color: { field: 'name', type: 'nominal', title: null },
    },
  };
}

const last = (steps: Step[]) => steps[steps.length - 1];
const best = (steps: Step[]) => [...steps].reverse().find((s) => s.passed)?.load ?? 0;

/** The group that burns the most CPU at the step that failed (or the last one). */
function bottleneck(step: Step, cores: number): string {
  const ranked = GROUPS.map((g) => [g, step.cpu[g]] as const).sort((a, b) => b[1] - a[1]);
  const cpu = ranked.map(([g, v]) => `${g} ${v}%`).join(', ');
  const saturated =
    step.cpu.machine >= 85 ? `the machine's ${cores} cores are ${step.cpu.machine}% busy, so ` : '';
  return `${saturated}**${ranked[0][0]}** uses the most CPU (${cpu} of one core; machine ${step.cpu.machine}%), at ${step.why}.`;
}

function endpointRows(aggregate: Period): string[] {
  const prefix = 'plugins.metrics-by-endpoint.response_time.';
  return Object.entries(aggregate.summaries)
    .filter(([name]) => name.startsWith(prefix))
    .map(
      ([name, s]) =>
        `| ${name.slice(prefix.length)} | ${s.count} | ${s.p50} | ${s.p95} | ${s.p99} |`,
    );
}

function summary(run: Run, cores: number, date: string): string {
  const m = last(run.mixed);
  const s = last(run.sockets);
  const delivery = s.report.aggregate.summaries['chirp.tweet_new_delivery_ms'];
  const stepRow = (x: Step) =>
    `| ${x.load} | ${Math.round(x.report.aggregate.rates['http.request_rate'] ?? 0)} | ${x.why} | ${GROUPS.map((g) => x.cpu[g]).join(' / ')} / ${x.cpu.machine} | ${x.passed ? 'pass' : 'FAIL'} |`;
  return [
    `# Load test, ${date}`,
    '',
    `Artillery ${ARTILLERY_VERSION} against ${run.target} (${run.seed}). Machine: ${run.machine}. The load generator runs on the same cores as Chirp, MariaDB and Redis.`,
    '',
    '## Capacity',
    '',
    `- **Mixed workload: ${best(run.mixed)} arrivals/s** sustained (p99 < ${MIXED_P99_MS} ms, no errors)${m.passed ? ', the highest step tried' : `; ${m.load}/s failed`}.`,
    `- **Realtime: ${best(run.sockets)} connected sockets** with \`tweet:new\` p99 < ${DELIVERY_P99_MS} ms${s.passed ? ', the highest step tried' : `; ${s.load} failed`}.`,
    '',
    '## Bottlenecks',
    '',
    `- Mixed: ${bottleneck(m, cores)}`,
    `- Realtime: ${bottleneck(s, cores)}`,
    '',
    'CPU is sampled from /proc over the steady part of each step, in % of one core per process group (api: every PM2 API instance together), machine in % of all cores.',
    '',
    '## Mixed workload steps',
    '',
    '| arrivals/s | req/s | result | CPU api / worker / mysql / redis / artillery / machine % | |',
    '| --- | --- | --- | --- | --- |',
    ...run.mixed.map(stepRow),
    '',
    `Per endpoint at the last step (${m.load}/s), ms; ${failures(m.report.aggregate)} errors:`,
    '',
    '| endpoint | requests | p50 | p95 | p99 |',
    '| --- | --- | --- | --- | --- |',
    ...endpointRows(m.report.aggregate),
    '',
    '![latency](mixed-latency.svg)',
    '![throughput](mixed-throughput.svg)',
    '',
    '## Realtime steps',
    '',
    '| sockets | | result | CPU api / worker / mysql / redis / artillery / machine % | |',
    '| --- | --- | --- | --- | --- |',
    ...run.sockets.map(stepRow),
    '',
    delivery
      ? `Delivery at the last step (${s.load} sockets): p50 ${delivery.p50} ms, p95 ${delivery.p95} ms, p99 ${delivery.p99} ms over ${delivery.count} deliveries.`
      : 'No delivery was recorded at the last step.',
    '',
    '![delivery](realtime-delivery.svg)',
    '',
  ].join('\n');
}

/** Writes the report and returns its folder. */
export async function writeReport(run: Run): Promise<string> {
  const date = new Date().toISOString().slice(0, 16).replace(':', '-');
  const dir = path.join(ROOT, 'docs/perf', date);
  mkdirSync(dir, { recursive: true });
  const cores = Number(/^(\d+)/.exec(run.machine)?.[1] ?? 1);
  writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ date, ...run }, null, 2));
  writeFileSync(path.join(dir, 'summary.md'), summary(run, cores, date));
  const mStart = run.mixed[0]?.startedAt ?? 0;
  const sStart = run.sockets[0]?.startedAt ?? 0;
  const latency = series(run.mixed, mStart, (p) => ({
    p50: p.summaries['http.response_time']?.p50,
    p95: p.summaries['http.response_time']?.p95,
    p99: p.summaries['http.response_time']?.p99,
  }));
  const throughput = series(run.mixed, mStart, (p) => ({
    'requests/s': p.rates['http.request_rate'],
    'errors (per period)': failures(p),
  }));
  const delivery = series(run.sockets, sStart, (p) => ({
    p50: p.summaries['chirp.tweet_new_delivery_ms']?.p50,
    p99: p.summaries['chirp.tweet_new_delivery_ms']?.p99,
  }));
  writeFileSync(
    path.join(dir, 'mixed-latency.svg'),
    await svg(line('Mixed workload: response time', latency, 'ms')),
  );
  writeFileSync(
    path.join(dir, 'mixed-throughput.svg'),
    await svg(line('Mixed workload: throughput', throughput, 'per second')),
  );
  writeFileSync(
    path.join(dir, 'realtime-delivery.svg'),
    await svg(line('tweet:new delivery latency', delivery, 'ms')),
  );
  return path.relative(ROOT, dir);
}
