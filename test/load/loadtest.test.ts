/**
 * The load-test tooling without a load test: a run takes minutes and Artillery, so the suite
 * checks what decides a run's verdict and writes its report, on synthetic figures.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Period } from './artillery';
import { summariseProfiles } from './profile';
import { writeReport, type Run } from './report';
import type { Step } from './steps';
import { tally } from './steps';
import { runToExit } from '../helpers/processes';

/** Runs `use` with a fresh folder of its own, removed afterwards. */
async function inScratch(use: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chirp-loadtest-'));
  try {
    await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function period(p99: number, extra: Partial<Period> = {}): Period {
  const summary = { count: 100, p50: p99 / 4, p95: p99 / 2, p99, max: p99 * 2 };
  return {
    period: '1795790000000',
    counters: { 'http.requests': 1000, 'http.codes.200': 1000, 'vusers.created': 800 },
    rates: { 'http.request_rate': 125 },
    summaries: {
      'http.response_time': summary,
      'plugins.metrics-by-endpoint.response_time.GET /tweets': summary,
      'chirp.tweet_new_delivery_ms': summary,
    },
    firstMetricAt: 1795790000000,
    lastMetricAt: 1795790015000,
    ...extra,
  };
}

function step(load: number, passed: boolean, p99: number, busy: Partial<Step['cpu']> = {}): Step {
  const report = period(p99);
  return {
    load,
    startedAt: 1795790000000 + load,
    passed,
    why: `${load} load, p99 ${p99} ms`,
    achieved: load,
    requestsPerSecond: load * 1.25,
    cpu: {
      api: 40,
      worker: 5,
      mysql: 10,
      redis: 10,
      artillery: 60,
      machine: 60,
      generatorThread: 50,
      ...busy,
    },
    evidence: {
      eventLoop: { p99: 20, max: 40, samples: 5 },
      redis: { pingP50: 0.5, pingP99: 2, pingMax: 3, busy: 10, top: [] },
      mysql: { queriesPerSecond: 500, slowQueries: 0, rowLockWaits: 0 },
    },
    report: { aggregate: report, intermediate: [report] },
    windowSeconds: 10,
  };
}

describe('npm run loadtest', function () {
  this.timeout(30_000);

  it('starts nothing without --local or --target, and says how to call it', async () => {
    const { code, output } = await runToExit('test/load/run.ts');
    expect(code).to.equal(1);
    expect(output).to.match(/usage: npm run loadtest -- --local \| --target/);
    expect(output).not.to.match(/Installing artillery/);
  });

  it('writes the dated report: verdicts, the bottleneck with its evidence, and SVG plots', () =>
    inScratch(async (dir) => {
      const loopBound = step(1000, false, 900, { api: 30, machine: 25 });
      loopBound.evidence.eventLoop = { p99: 300, max: 400, samples: 5 };
      const run: Run = {
        target: 'http://127.0.0.1:3311',
        machine: '2 cores (test), 24 GiB',
        seed: 'synthetic',
        mixed: [
          step(100, true, 20),
          step(200, true, 40),
          step(400, false, 250, { api: 70, artillery: 70, machine: 97 }),
        ],
        sockets: [step(500, true, 100), loopBound],
        profiles: { mixed: null, realtime: null },
        slowQueries: [],
      };
      await writeReport(run, dir);
      const [date] = readdirSync(dir);
      const folder = path.join(dir, date);
      const summary = readFileSync(path.join(folder, 'summary.md'), 'utf8');
      expect(summary).to.include(
        '**Highest sustained rate: 200 arrivals/s (250 req/s), p99 40 ms**',
      );
      expect(summary).to.include('400/s failed');
      expect(summary).to.include('First to give out: **CPU**: the 2 cores are 97% busy');
      expect(summary).to.include('| GET /tweets | 100 | 62.5 | 125 | 250 |');
      expect(summary).to.include('**Most sockets served: 500**');
      expect(summary).to.include("**the API processes' event loops** (delay p99 300 ms)");
      expect(summary).to.include('**no query** of the run was that slow');
      const result = JSON.parse(readFileSync(path.join(folder, 'result.json'), 'utf8')) as Run;
      expect(result.mixed.map((s) => s.load)).to.deep.equal([100, 200, 400]);
      for (const plot of [
        'mixed-latency.svg',
        'mixed-throughput.svg',
        'mixed-steps.svg',
        'realtime-delivery.svg',
      ]) {
        expect(readFileSync(path.join(folder, plot), 'utf8'), plot).to.match(/^<svg[^>]*>/);
      }
    }));
});

describe('Delivery accounting of a realtime step', () => {
  it('expects every tweet posted while a socket listened, and only those', () =>
    inScratch((dir) => {
      const file = path.join(dir, 'records.ndjson');
      const posts = [
        { seq: 1, sentAt: 1000, answeredAt: 1020 },
        { seq: 2, sentAt: 2000, answeredAt: 2020 },
        { seq: 3, sentAt: 3000, answeredAt: 3020 },
      ];
      writeFileSync(
        file,
        [
          // Listened to all three, missed the third.
          { connectedAt: 500, endedAt: 9000, received: [1, 2] },
          // Connected after the first was sent: owed the other two, got both.
          { connectedAt: 1500, endedAt: 9000, received: [2, 3] },
          // Stopped listening before the third could arrive: owed the first two.
          { connectedAt: 500, endedAt: 4500, received: [1, 2] },
        ]
          .map((record) => JSON.stringify(record))
          .join('\n') + '\n',
      );
      expect(tally(file, posts)).to.deep.equal({ posts: 3, expected: 7, received: 6, missing: 1 });
    }));
});

describe('CPU profile summary', () => {
  it('names a native socket write after the package that made it, and leaves idle time out', () =>
    inScratch((dir) => {
      const file = path.join(dir, 'api.cpuprofile');
      const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
      writeFileSync(
        file,
        JSON.stringify({
          nodes: [
            { id: 1, callFrame: frame('(root)'), children: [2, 4] },
            {
              id: 2,
              callFrame: frame('write', 'file:///srv/node_modules/mysql2/lib/connection.js'),
              children: [3],
            },
            { id: 3, callFrame: frame('writeBuffer') },
            { id: 4, callFrame: frame('(idle)') },
          ],
          samples: [3, 3, 3, 2, 4, 4],
        }),
      );
      const summary = summariseProfiles([file]);
      expect(summary.busySamples).to.equal(4);
      expect(summary.byPlace).to.deep.equal([
        { name: 'writeBuffer (native, from mysql2)', percent: 75 },
        { name: 'mysql2', percent: 25 },
      ]);
    }));
});
