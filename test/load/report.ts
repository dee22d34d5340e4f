/** docs/perf/<date>/: result.json, summary.md and SVG plots (Vega-Lite, rendered headless). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Vega from 'vega';
import { ARTILLERY_VERSION, failures, type Period } from './artillery';
import type { Group } from './cpu';
import type { SlowQuery } from './evidence';
import type { ProfileSummary } from './profile';
import { bestStep, DELIVERY_P99_MS, MIXED_P99_MS, SUSTAINED, type Step } from './steps';

export interface Run {
  target: string;
  machine: string;
  seed: string;
  mixed: Step[];
  sockets: Step[];
  /** Each ramp's best step again, with the API processes' CPU profiled. */
  profiles: Record<'mixed' | 'realtime', { step: Step; summary: ProfileSummary } | null>;
  slowQueries: SlowQuery[] | null;
}

const ROOT = path.resolve(__dirname, '../..');

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

function line(
  title: string,
  values: object[],
  y: string,
  x = { field: 't', title: 'seconds into the ramp' },
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: x.field, type: 'quantitative', title: x.title },
      y: { field: 'value', type: 'quantitative', title: y },
      color: { field: 'name', type: 'nominal', title: null },
    },
  };
}

const last = (steps: Step[]): Step | undefined => steps[steps.length - 1];
const CHIRP: Group[] = ['api', 'worker', 'mysql', 'redis'];

/** What gave out first at `step` (the failing one, or the last when none failed), and why. */
function bottleneck(step: Step, cores: number): string {
  const { cpu, evidence } = step;
  const chirp = CHIRP.map((g) => [g, cpu[g]] as const).sort((a, b) => b[1] - a[1]);
  const shares = `${chirp.map(([g, v]) => `${g} ${v}%`).join(', ')}, artillery ${cpu.artillery}% (busiest thread ${cpu.generatorThread}%) of one core; machine ${cpu.machine}% of ${cores} cores`;
  const loop = evidence.eventLoop;
  const redis = evidence.redis;
  const facts = [
    `CPU: ${shares}`,
    loop ? `API event-loop delay p99 ${loop.p99} ms, max ${loop.max} ms` : null,
    redis ? `Redis PING p99 ${redis.pingP99} ms, Redis busy ${redis.busy}% of its one core` : null,
    evidence.mysql
      ? `MySQL ${evidence.mysql.queriesPerSecond} queries/s, ${evidence.mysql.slowQueries} slow (> 50 ms), ${evidence.mysql.rowLockWaits} row-lock waits`
      : null,
  ].filter(Boolean);
  let verdict: string;
  if (redis && redis.busy >= 80) {
    verdict = `**Redis** (single-threaded) is ${redis.busy}% busy`;
  } else if (cpu.machine >= 90) {
    verdict =
      `**CPU**: the ${cores} cores are ${cpu.machine}% busy, shared by Chirp (its largest share: **${chirp[0][0]}**, ${chirp[0][1]}% of a core) and the load generator` +
      (cpu.generatorThread >= 85
        ? `, whose one worker thread is at ${cpu.generatorThread}% of a core and falls behind its schedule`
        : '');
  } else if (cpu.generatorThread >= 85) {
    verdict = `**the load generator**: Artillery's worker thread is at ${cpu.generatorThread}% of a core`;
  } else if (loop && loop.p99 >= 100) {
    verdict = `**the API processes' event loops** (delay p99 ${loop.p99} ms)`;
  } else if (
    evidence.mysql &&
    (evidence.mysql.slowQueries > 0 || evidence.mysql.rowLockWaits > 0)
  ) {
    verdict = '**MySQL** (slow queries or lock waits)';
  } else {
    verdict = 'no resource is saturated';
  }
  return `${verdict}, at ${step.why}.\n  Evidence: ${facts.join('; ')}.`;
}

/** CPU milliseconds per request by group, from a mixed step. */
function costPerRequest(step: Step) {
  const perRequest = (percent: number) => (percent * 10) / Math.max(step.requestsPerSecond, 1);
  const groups = [...CHIRP, 'artillery' as const].map((g) => [g, perRequest(step.cpu[g])] as const);
  const chirp = groups.filter(([g]) => g !== 'artillery').reduce((sum, [, ms]) => sum + ms, 0);
  return { groups, chirp };
}

const ms = (n: number) => n.toFixed(2);

function endpointRows(aggregate: Period): string[] {
  const prefix = 'plugins.metrics-by-endpoint.response_time.';
  return Object.entries(aggregate.summaries)
    .filter(([name]) => name.startsWith(prefix))
    .map(
      ([name, s]) =>
        `| ${name.slice(prefix.length)} | ${s.count} | ${s.p50} | ${s.p95} | ${s.p99} |`,
    );
}

const cpuCells = (x: Step) =>
  `${CHIRP.map((g) => x.cpu[g]).join(' / ')} / ${x.cpu.artillery} (${x.cpu.generatorThread}) / ${x.cpu.machine}`;
const evidenceCells = (x: Step) =>
  [
    x.evidence.eventLoop ? `${x.evidence.eventLoop.p99} / ${x.evidence.eventLoop.max}` : '–',
    x.evidence.redis ? `${x.evidence.redis.pingP99} / ${x.evidence.redis.busy}%` : '–',
    x.evidence.mysql
      ? `${x.evidence.mysql.queriesPerSecond} / ${x.evidence.mysql.slowQueries} / ${x.evidence.mysql.rowLockWaits}`
      : '–',
  ].join(' | ');

function mixedSection(run: Run, cores: number): string[] {
  const top = bestStep(run.mixed);
  const end = last(run.mixed);
  if (!end) return ['Not run (`--only realtime`).'];
  const p99 = (x: Step) => x.report.aggregate.summaries['http.response_time']?.p99;
  const cost = top ? costPerRequest(top) : null;
  return [
    `- **Highest sustained rate: ${top ? `${top.load} arrivals/s (${top.requestsPerSecond} req/s), p99 ${p99(top)} ms` : 'none of the steps'}**${end.passed ? ' (the highest step tried)' : `; ${end.load}/s failed`}.`,
    `- First to give out: ${bottleneck(end, cores)}`,
    ...(cost
      ? [
          `- CPU per request at ${top!.load}/s: ${cost.groups.map(([g, v]) => `${g} ${ms(v)} ms`).join(', ')}; Chirp in all **${ms(cost.chirp)} ms**. With the generator elsewhere and ${cores} cores for Chirp alone, CPU would run out near ${Math.round((cores * 1000) / cost.chirp)} req/s (an estimate, not a measurement).`,
        ]
      : []),
    '',
    '| arrivals/s | achieved | req/s | p99 ms | CPU % api / worker / mysql / redis / artillery (thread) / machine | loop p99 / max ms | Redis PING p99 ms / busy | MySQL q/s / slow / lock waits | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...run.mixed.map(
      (x) =>
        `| ${x.load} | ${x.achieved} | ${x.requestsPerSecond} | ${p99(x)} | ${cpuCells(x)} | ${evidenceCells(x)} | ${x.passed ? 'pass' : 'FAIL'} |`,
    ),
    '',
    `Per endpoint at the last step (${end.load}/s), ms; ${failures(end.report.aggregate)} errors:`,
    '',
    '| endpoint | requests | p50 | p95 | p99 |',
    '| --- | --- | --- | --- | --- |',
    ...endpointRows(end.report.aggregate),
    '',
    '![latency](mixed-latency.svg)',
    '![throughput](mixed-throughput.svg)',
    '![steps](mixed-steps.svg)',
  ];
}

function profileSection(profile: Run['profiles']['mixed'], what: string): string[] {
  if (!profile) {
    return [
      'No CPU profile: it needs `--local` (the runner signals the API processes it started) and a step that passed.',
    ];
  }
  const { step, summary: p } = profile;
  const rows = (shares: { name: string; percent: number }[]) =>
    shares.map((s) => `| ${s.name.replaceAll('|', '\\|')} | ${s.percent}% |`);
  return [
    `Every API process, profiled (SIGUSR2, app/ops/profiler.ts) over ${what} at ${step.why}; ${p.busySamples} busy samples of about 1 ms. Self time, % of busy samples:`,
    '',
    '| where | busy |',
    '| --- | --- |',
    ...rows(p.byPlace),
    '',
    '| function (file:line) | busy |',
    '| --- | --- |',
    ...rows(p.byFunction),
  ];
}

function slowQuerySection(run: Run): string[] {
  if (!run.slowQueries) return ['Slow query log: not read (it needs `--local`).'];
  if (run.slowQueries.length === 0)
    return [
      'Slow query log (MariaDB, over 50 ms, the whole run): **no query** of the run was that slow.',
    ];
  return [
    'Slow query log (MariaDB, over 50 ms, the whole run):',
    '',
    '| statement | count | max ms | rows examined |',
    '| --- | --- | --- | --- |',
    ...run.slowQueries.map(
      (q) =>
        `| \`${q.statement.replaceAll('|', '\\|')}\` | ${q.count} | ${q.maxMs} | ${q.rowsExamined} |`,
    ),
  ];
}

function realtimeSection(run: Run, cores: number): string[] {
  const top = bestStep(run.sockets);
  const end = last(run.sockets);
  if (!end) return ['Not run (`--only mixed`).'];
  const delivery = (x: Step) => x.report.aggregate.summaries['chirp.tweet_new_delivery_ms'];
  const d = top && delivery(top);
  return [
    `- **Most sockets served: ${top ? `${top.load}` : 'none of the steps'}**${d ? `, \`tweet:new\` p50 ${d.p50} ms, p99 ${d.p99} ms over ${d.count} deliveries, none missing` : ''}${end.passed ? ' (the highest step tried)' : `; ${end.load} failed`}.`,
    `- First to give out: ${bottleneck(end, cores)}`,
    ...(top?.delivery?.received
      ? [
          `- API CPU per delivered event at ${top.load} sockets: about ${Math.round(((top.cpu.api / 100) * top.windowSeconds * 1e6) / top.delivery.received)} µs (every API process's CPU over the posting, divided by the events delivered).`,
        ]
      : []),
    '',
    '| sockets | connected | deliveries (received / expected) | p50 / p99 ms | CPU % api / worker / mysql / redis / artillery (thread) / machine | loop p99 / max ms | Redis PING p99 ms / busy | MySQL q/s / slow / lock waits | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...run.sockets.map(
      (x) =>
        `| ${x.load} | ${x.achieved} | ${x.delivery?.received ?? 0} / ${x.delivery?.expected ?? 0} | ${delivery(x)?.p50 ?? '–'} / ${delivery(x)?.p99 ?? '–'} | ${cpuCells(x)} | ${evidenceCells(x)} | ${x.passed ? 'pass' : 'FAIL'} |`,
    ),
    '',
    '![delivery](realtime-delivery.svg)',
  ];
}

function summary(run: Run, cores: number, date: string): string {
  return [
    `# Load test, ${date}`,
    '',
    `Artillery ${ARTILLERY_VERSION} against ${run.target} (${run.seed}). Machine: ${run.machine}. The load generator runs on the same cores as Chirp, MariaDB and Redis.`,
    '',
    `A step passes when its p99 is under the target, nothing failed, and Artillery made at least ${SUSTAINED * 100}% of its arrivals on schedule; the ramp stops at the first step that does not. Mixed steps last 15 s; their virtual users share 32 keep-alive connections, as Chirp's nginx upstream (\`keepalive 32\`) does in production. Realtime steps connect the sockets (1,000 a second at most), then post 10 tweets, one a second, from two authors every socket's user follows; every tweet posted while a socket listened must reach it.`,
    '',
    `CPU is sampled from /proc over the steady part of each step, in % of one core per process group (api: every API process together; artillery: the whole generator, its busiest thread in brackets), machine in % of all cores. Event-loop delay comes from the API's /metrics (scraped every 2 s, each scrape reaching one API process), the worst window seen; Redis PING from the runner every 100 ms; Redis busy is its command time (INFO commandstats) per second of wall time.`,
    '',
    `## Mixed workload (p99 < ${MIXED_P99_MS} ms)`,
    '',
    ...mixedSection(run, cores),
    '',
    '### Where the API spends its CPU',
    '',
    ...profileSection(run.profiles.mixed, '10 s of the mixed workload'),
    '',
    '### MySQL',
    '',
    ...slowQuerySection(run),
    '',
    `## Realtime (\`tweet:new\` p99 < ${DELIVERY_P99_MS} ms)`,
    '',
    ...realtimeSection(run, cores),
    '',
    '### Where the API spends its CPU',
    '',
    ...profileSection(run.profiles.realtime, 'the posting of a realtime step'),
    '',
  ].join('\n');
}

/** Writes the report and returns its folder. */
export async function writeReport(
  run: Run,
  perfDir = path.join(ROOT, 'docs/perf'),
): Promise<string> {
  const date = new Date().toISOString().slice(0, 16).replace(':', '-');
  const dir = path.join(perfDir, date);
  mkdirSync(dir, { recursive: true });
  const cores = Number(/^(\d+)/.exec(run.machine)?.[1] ?? 1);
  writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ date, ...run }, null, 2));
  writeFileSync(path.join(dir, 'summary.md'), summary(run, cores, date));
  const mStart = run.mixed[0]?.startedAt ?? 0;
  const latency = series(run.mixed, mStart, (p) => ({
    p50: p.summaries['http.response_time']?.p50,
    p95: p.summaries['http.response_time']?.p95,
    p99: p.summaries['http.response_time']?.p99,
  }));
  const throughput = series(run.mixed, mStart, (p) => ({
    'requests/s': p.rates['http.request_rate'],
    'errors (per period)': failures(p),
  }));
  const perStep = (steps: Step[], pick: (x: Step) => Record<string, number | undefined>) =>
    steps.flatMap((x) =>
      Object.entries(pick(x))
        .filter((e): e is [string, number] => e[1] !== undefined)
        .map(([name, value]) => ({ load: x.load, name, value })),
    );
  const mixedSteps = perStep(run.mixed, (x) => ({
    'p50 ms': x.report.aggregate.summaries['http.response_time']?.p50,
    'p99 ms': x.report.aggregate.summaries['http.response_time']?.p99,
    'requests/s ÷ 10': x.requestsPerSecond / 10,
  }));
  const delivery = perStep(run.sockets, (x) => ({
    p50: x.report.aggregate.summaries['chirp.tweet_new_delivery_ms']?.p50,
    p99: x.report.aggregate.summaries['chirp.tweet_new_delivery_ms']?.p99,
  }));
  const plots: [string, TopLevelSpec][] = [
    ['mixed-latency.svg', line('Mixed workload: response time', latency, 'ms')],
    ['mixed-throughput.svg', line('Mixed workload: throughput', throughput, 'per second')],
    [
      'mixed-steps.svg',
      line('Mixed workload by step', mixedSteps, 'ms, or requests/s ÷ 10', {
        field: 'load',
        title: 'arrivals per second',
      }),
    ],
    [
      'realtime-delivery.svg',
      line('tweet:new delivery latency by step', delivery, 'ms', {
        field: 'load',
        title: 'connected sockets',
      }),
    ],
  ];
  for (const [file, spec] of plots) writeFileSync(path.join(dir, file), await svg(spec));
  return path.relative(ROOT, dir);
}
