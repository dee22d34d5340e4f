/** The two stepped ramps: each step runs Artillery once and is judged; the first failure ends it. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, failures, runArtillery, type ArtilleryReport } from './artillery';
import { share, snapshot, type CpuShare, type Group } from './cpu';

export const MIXED_RATES = [25, 50, 100, 150, 200, 300, 400, 550];
export const SOCKET_COUNTS = [200, 500, 1000, 2000, 4000]; // multiples of the ramp (whole arrivals per second)
export const MIXED_P99_MS = 200;
export const DELIVERY_P99_MS = 500;
const MIXED_SECONDS = 15;
const SOCKET_RAMP_SECONDS = 4;
const SOCKET_HOLD_SECONDS = 16; // realtime.yml's think

export interface Session {
  id: string;
  token: string;
}
export interface Step {
  load: number;
  startedAt: number;
  passed: boolean;
  why: string;
  cpu: CpuShare;
  report: ArtilleryReport;
}
interface Context {
  base: string;
  pids: () => Map<number, Group>;
  cores: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs Artillery while sampling CPU over the steady part of the step [from, to] seconds. */
async function measured(
  ctx: Context,
  run: () => Promise<ArtilleryReport>,
  from: number,
  to: number,
) {
  const known = ctx.pids();
  const sampling = (async () => {
    await sleep(from * 1000);
    const before = snapshot(known);
    await sleep((to - from) * 1000);
    return share(before, snapshot(known), ctx.cores);
  })();
  const [report, cpu] = await Promise.all([run(), sampling]);
  return { report, cpu };
}

function writePayload(sessions: Session[], extra: (s: Session, i: number) => string[]): string {
  const file = path.join(CACHE_DIR, 'users.csv');
  writeFileSync(
    file,
    sessions.map((s, i) => [s.token, ...extra(s, i)].join(',')).join('\n') + '\n',
  );
  return file;
}

export async function mixedRamp(
  ctx: Context,
  sessions: Session[],
  log: (line: string) => void,
): Promise<Step[]> {
  const payload = writePayload(sessions, (_s, i) => [sessions[(i * 7 + 1) % sessions.length].id]);
  const steps: Step[] = [];
  for (const rate of MIXED_RATES) {
    const startedAt = Date.now();
    const { report, cpu } = await measured(
      ctx,
      () =>
        runArtillery(
          'mixed.yml',
          {
            target: ctx.base,
            phases: [{ duration: MIXED_SECONDS, arrivalRate: rate }],
            payload: [{ path: payload, fields: ['token', 'otherId'], order: 'random' }],
          },
          path.join(CACHE_DIR, `mixed-${rate}.json`),
        ),
      4,
      MIXED_SECONDS,
    );
    const p99 = report.aggregate.summaries['http.response_time']?.p99 ?? Infinity;
    const errors = failures(report.aggregate);
    const passed = p99 < MIXED_P99_MS && errors === 0;
    const why = `p99 ${p99} ms, ${errors} errors`;
    log(`mixed ${rate}/s: ${why}, CPU ${JSON.stringify(cpu)} → ${passed ? 'pass' : 'FAIL'}`);
    steps.push({ load: rate, startedAt, passed, why, cpu, report });
    if (!passed) break;
  }
  return steps;
}

async function post(base: string, token: string): Promise<void> {
  const response = await fetch(`${base}/tweets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content: `rt:${Date.now()}` }),
  });
  await response.text();
  if (response.status !== 201) throw new Error(`POST /tweets answered ${response.status}`);
}

/** Listeners from realtime.yml; two posters (whom every listener follows) post 2 tweets a second. */
export async function socketRamp(
  ctx: Context,
  listeners: Session[],
  posters: Session[],
  log: (line: string) => void,
): Promise<Step[]> {
  const payload = writePayload(listeners, () => []);
  const steps: Step[] = [];
  for (const sockets of SOCKET_COUNTS) {
    const startedAt = Date.now();
    let posted = 0;
    const posting = (async () => {
      await sleep((SOCKET_RAMP_SECONDS + 1) * 1000);
      const end = Date.now() + (SOCKET_HOLD_SECONDS - SOCKET_RAMP_SECONDS - 2) * 1000;
      while (Date.now() < end) {
        await post(ctx.base, posters[posted % posters.length].token);
        posted += 1;
        await sleep(500);
      }
    })();
    const [{ report, cpu }] = await Promise.all([
      measured(
        ctx,
        () =>
          runArtillery(
            'realtime.yml',
            {
              target: ctx.base,
              phases: [
                { duration: SOCKET_RAMP_SECONDS, arrivalRate: sockets / SOCKET_RAMP_SECONDS },
              ],
              payload: [{ path: payload, fields: ['token'], order: 'random' }],
            },
            path.join(CACHE_DIR, `sockets-${sockets}.json`),
          ),
        SOCKET_RAMP_SECONDS + 1,
        SOCKET_HOLD_SECONDS,
      ),
      posting,
    ]);
    const { counters, summaries } = report.aggregate;
    const connected = counters['chirp.sockets_connected'] ?? 0;
    const received = counters['chirp.tweet_new_received'] ?? 0;
    const p99 = summaries['chirp.tweet_new_delivery_ms']?.p99 ?? Infinity;
    const errors = failures(report.aggregate) + (counters['chirp.sockets_dropped'] ?? 0);
    // Sockets connect over the ramp, so early posts reach fewer of them: allow the ramp's share.
    const expected = connected * posted;
    const passed =
      connected === sockets && p99 < DELIVERY_P99_MS && errors === 0 && received >= 0.95 * expected;
    const why = `${connected}/${sockets} connected, ${received}/${expected} deliveries, p99 ${p99} ms, ${errors} errors`;
    log(`sockets ${sockets}: ${why}, CPU ${JSON.stringify(cpu)} → ${passed ? 'pass' : 'FAIL'}`);
    steps.push({ load: sockets, startedAt, passed, why, cpu, report });
    if (!passed) break;
  }
  return steps;
}
