/**
 * The two stepped ramps: each step runs Artillery once and is judged, and the first step
 * that fails ends its ramp. Besides Artillery's figures every step samples CPU per process
 * group and the evidence of evidence.ts over its steady part.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, failures, runArtillery, type ArtilleryReport } from './artillery';
import { startCpu, type CpuShare, type Group } from './cpu';
import { startEvidence, type Evidence, type Services } from './evidence';
import { PROFILE_SIGNAL } from '../../app/ops/profileFiles';
import type { SocketRecord } from './processor';

/** Arrivals per second of the mixed workload (each arrival makes 1.37 requests on average). */
export const MIXED_RATES = [100, 200, 400, 600, 700, 800, 900, 1000, 1100, 1200, 1400, 1600];
/** Connected sockets; they connect at up to SOCKET_CONNECT_RATE a second. */
export const SOCKET_COUNTS = [500, 1000, 2000, 4000, 6000, 8000, 12_000, 16_000];
export const MIXED_P99_MS = 200;
export const DELIVERY_P99_MS = 500;
/** A step is sustained when Artillery made at least this share of its arrivals on time. */
export const SUSTAINED = 0.95;
const MIXED_SECONDS = 15;
/** The steady part of a mixed step, in seconds after Artillery starts (it takes ~2 s to). */
const MIXED_WINDOW = [4, 14] as const;
const SOCKET_CONNECT_RATE = 1000;
/** Tweets posted per socket step, one a second, once every socket is connected. */
const POSTS = 10;
/** How long after its POST was answered a tweet may still arrive and count as delivered. */
const DELIVERY_GRACE_MS = 2000;

/** The last step of a ramp that passed. */
export const bestStep = (steps: Step[]): Step | undefined =>
  [...steps].reverse().find((step) => step.passed);

export interface Session {
  id: string;
  token: string;
}
export interface Step {
  load: number;
  startedAt: number;
  passed: boolean;
  why: string;
  /** Mixed: arrivals/s Artillery achieved; realtime: sockets connected. */
  achieved: number;
  requestsPerSecond: number;
  cpu: CpuShare;
  evidence: Evidence;
  report: ArtilleryReport;
  delivery?: { posts: number; expected: number; received: number; missing: number };
  /** Seconds the CPU and evidence were sampled over. */
  windowSeconds: number;
}
export interface Context {
  base: string;
  pids: () => Map<number, Group>;
  cores: number;
  services: Services;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const at = (from: number, seconds: number) =>
  sleep(Math.max(0, from + seconds * 1000 - Date.now()));

function writePayload(sessions: Session[], extra: (s: Session, i: number) => string[]): string {
  const file = path.join(CACHE_DIR, 'users.csv');
  writeFileSync(
    file,
    sessions.map((s, i) => [s.token, ...extra(s, i)].join(',')).join('\n') + '\n',
  );
  return file;
}

/** Mixed.yml's payload: each session's token and another session's user to visit. */
const mixedPayload = (sessions: Session[]) =>
  writePayload(sessions, (_s, i) => [sessions[(i * 7 + 1) % sessions.length].id]);
/** Realtime.yml's payload: the listeners' tokens. */
const listenerPayload = (listeners: Session[]) => writePayload(listeners, () => []);

/** Seconds between a report's first and last metric: longer than the phase when it lagged. */
const span = ({ aggregate }: ArtilleryReport) =>
  Math.max(MIXED_SECONDS, (aggregate.lastMetricAt - aggregate.firstMetricAt) / 1000);

/** One mixed-workload step at `rate` arrivals/s, sampled over its steady part and judged. */
async function mixedStep(
  ctx: Context,
  rate: number,
  payload: string,
  during?: { start(): void; stop(): void },
): Promise<Step> {
  const startedAt = Date.now();
  const running = runArtillery(
    'mixed.yml',
    {
      target: ctx.base,
      phases: [{ duration: MIXED_SECONDS, arrivalRate: rate }],
      payload: [{ path: payload, fields: ['token', 'otherId'], order: 'random' }],
    },
    path.join(CACHE_DIR, `mixed-${rate}.json`),
  );
  await at(startedAt, MIXED_WINDOW[0]);
  const cpuDone = startCpu(ctx.pids(), ctx.cores);
  const evidenceDone = await startEvidence(ctx.base, ctx.services);
  during?.start();
  await at(startedAt, MIXED_WINDOW[1]);
  during?.stop();
  const cpu = cpuDone();
  const evidence = await evidenceDone();
  const report = await running;
  const seconds = span(report);
  const achieved = Math.round((report.aggregate.counters['vusers.created'] ?? 0) / seconds);
  const requestsPerSecond = Math.round((report.aggregate.counters['http.requests'] ?? 0) / seconds);
  const p99 = report.aggregate.summaries['http.response_time']?.p99 ?? Infinity;
  const errors = failures(report.aggregate);
  const passed = p99 < MIXED_P99_MS && errors === 0 && achieved >= SUSTAINED * rate;
  return {
    load: rate,
    startedAt,
    passed,
    why: `${achieved}/${rate} arrivals/s, ${requestsPerSecond} req/s, p99 ${p99} ms, ${errors} errors`,
    achieved,
    requestsPerSecond,
    cpu,
    evidence,
    report,
    windowSeconds: MIXED_WINDOW[1] - MIXED_WINDOW[0],
  };
}

/** Runs `run` at each load in turn, logging each verdict, until one fails. */
async function ramp(
  ctx: Context,
  label: (load: number) => string,
  loads: number[],
  run: (load: number) => Promise<Step>,
): Promise<Step[]> {
  const steps: Step[] = [];
  for (const load of loads) {
    const step = await run(load);
    ctx.log(
      `${label(load)}: ${step.why}, CPU ${JSON.stringify(step.cpu)} → ${step.passed ? 'pass' : 'FAIL'}`,
    );
    steps.push(step);
    if (!step.passed) break;
  }
  return steps;
}

export function mixedRamp(ctx: Context, sessions: Session[], rates = MIXED_RATES): Promise<Step[]> {
  const payload = mixedPayload(sessions);
  return ramp(
    ctx,
    (rate) => `mixed ${rate}/s`,
    rates,
    (rate) => mixedStep(ctx, rate, payload),
  );
}

/**
 * Runs `step` again with every API process's CPU profiled over its steady part
 * (app/ops/profiler.ts), and answers it with the profiles' paths.
 */
async function profiled(
  ctx: Context,
  label: string,
  profilesOf: (pid: number, since: number) => string[],
  step: (during: { start(): void; stop(): void }) => Promise<Step>,
): Promise<{ step: Step; files: string[] }> {
  const apis = [...ctx.pids()].filter(([, group]) => group === 'api').map(([pid]) => pid);
  const signal = () => apis.forEach((pid) => process.kill(pid, PROFILE_SIGNAL));
  const since = Date.now();
  const result = await step({ start: signal, stop: signal });
  ctx.log(`profiled ${label}: ${result.why}`);
  let files: string[] = [];
  for (let i = 0; i < 60 && files.length < apis.length; i += 1) {
    await sleep(250);
    files = apis.flatMap((pid) => profilesOf(pid, since));
  }
  return { step: { ...result, why: `${result.why} with the profiler on` }, files };
}

/** The mixed workload once more at `rate`, with the API processes profiled. */
export function profiledMixedStep(
  ctx: Context,
  sessions: Session[],
  rate: number,
  profilesOf: (pid: number, since: number) => string[],
): Promise<{ step: Step; files: string[] }> {
  const payload = mixedPayload(sessions);
  return profiled(ctx, `mixed ${rate}/s`, profilesOf, (during) =>
    mixedStep(ctx, rate, payload, during),
  );
}

async function post(base: string, token: string, seq: number) {
  const sentAt = Date.now();
  const response = await fetch(`${base}/tweets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content: `rt:${sentAt}:${seq}` }),
  });
  await response.text();
  if (response.status !== 201) throw new Error(`POST /tweets answered ${response.status}`);
  return { seq, sentAt, answeredAt: Date.now() };
}

/** Counts, socket by socket, the tweets that should have reached it and did not. */
export function tally(
  recordsFile: string,
  posts: { seq: number; sentAt: number; answeredAt: number }[],
) {
  const records = existsSync(recordsFile)
    ? readFileSync(recordsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SocketRecord)
    : [];
  let expected = 0;
  let received = 0;
  for (const record of records) {
    const got = new Set(record.received);
    for (const p of posts) {
      if (p.sentAt < record.connectedAt || p.answeredAt + DELIVERY_GRACE_MS > record.endedAt)
        continue;
      expected += 1;
      if (got.has(p.seq)) received += 1;
    }
  }
  return { posts: posts.length, expected, received, missing: expected - received };
}

const SOCKET_FILES = {
  CHIRP_LOAD_SOCKET_RECORDS: path.join(CACHE_DIR, 'socket-records.ndjson'),
  CHIRP_LOAD_SOCKETS_CONNECTED: path.join(CACHE_DIR, 'sockets-connected'),
  CHIRP_LOAD_STOP: path.join(CACHE_DIR, 'sockets-stop'),
};
/** Sequence numbers of the tweets posted under load, unique over the run. */
let posted = 0;

/**
 * One realtime step: `sockets` listeners from realtime.yml connect; once every one is up, two
 * posters whom every listener follows post POSTS tweets, one a second; the step ends
 * DELIVERY_GRACE_MS after the last one was answered. `during` runs over the posting.
 */
async function socketStep(
  ctx: Context,
  sockets: number,
  payload: string,
  posters: Session[],
  during?: { start(): void; stop(): void },
): Promise<Step> {
  const files = SOCKET_FILES;
  Object.values(files).forEach((file) => rmSync(file, { force: true }));
  writeFileSync(files.CHIRP_LOAD_SOCKETS_CONNECTED, '');
  const startedAt = Date.now();
  const connectRate = Math.min(sockets, SOCKET_CONNECT_RATE);
  const running = runArtillery(
    'realtime.yml',
    {
      target: ctx.base,
      phases: [{ duration: Math.ceil(sockets / connectRate), arrivalRate: connectRate }],
      payload: [{ path: payload, fields: ['token'], order: 'random' }],
    },
    path.join(CACHE_DIR, `sockets-${sockets}.json`),
    files,
  );
  let finished = false;
  void running.finally(() => (finished = true)).catch(() => undefined);
  const connected = () => statSync(files.CHIRP_LOAD_SOCKETS_CONNECTED).size;
  const deadline = Date.now() + (sockets / connectRate + 20) * 1000;
  while (connected() < sockets && Date.now() < deadline && !finished) await sleep(100);
  const cpuDone = startCpu(ctx.pids(), ctx.cores);
  const evidenceDone = await startEvidence(ctx.base, ctx.services);
  const windowStart = Date.now();
  const posts = [];
  if (connected() === sockets) {
    during?.start();
    for (let i = 0; i < POSTS; i += 1) {
      const begun = Date.now();
      posts.push(await post(ctx.base, posters[i % posters.length].token, (posted += 1)));
      await sleep(Math.max(0, 1000 - (Date.now() - begun)));
    }
    await sleep(DELIVERY_GRACE_MS);
    during?.stop();
  }
  const cpu = cpuDone();
  const windowSeconds = (Date.now() - windowStart) / 1000;
  const evidence = await evidenceDone();
  writeFileSync(files.CHIRP_LOAD_STOP, '');
  const report = await running;
  const delivery = tally(files.CHIRP_LOAD_SOCKET_RECORDS, posts);
  const { counters, summaries } = report.aggregate;
  const up = counters['chirp.sockets_connected'] ?? 0;
  const p99 = summaries['chirp.tweet_new_delivery_ms']?.p99 ?? Infinity;
  const errors = failures(report.aggregate) + (counters['chirp.sockets_dropped'] ?? 0);
  const passed =
    up === sockets &&
    posts.length === POSTS &&
    p99 < DELIVERY_P99_MS &&
    errors === 0 &&
    delivery.missing === 0;
  const why = `${up}/${sockets} connected, ${delivery.received}/${delivery.expected} deliveries, p99 ${p99} ms, ${errors} errors`;
  return {
    load: sockets,
    startedAt,
    passed,
    why,
    achieved: up,
    requestsPerSecond: 0,
    cpu,
    evidence,
    report,
    delivery,
    windowSeconds,
  };
}

/** The realtime ramp: SOCKET_COUNTS until a step fails. */
export function socketRamp(
  ctx: Context,
  listeners: Session[],
  posters: Session[],
  counts = SOCKET_COUNTS,
): Promise<Step[]> {
  const payload = listenerPayload(listeners);
  return ramp(
    ctx,
    (sockets) => `sockets ${sockets}`,
    counts,
    (sockets) => socketStep(ctx, sockets, payload, posters),
  );
}

/** A realtime step again, with a CPU profile of every API process over its posting. */
export function profiledSocketStep(
  ctx: Context,
  listeners: Session[],
  posters: Session[],
  sockets: number,
  profilesOf: (pid: number, since: number) => string[],
): Promise<{ step: Step; files: string[] }> {
  const payload = listenerPayload(listeners);
  return profiled(ctx, `sockets ${sockets}`, profilesOf, (during) =>
    socketStep(ctx, sockets, payload, posters, during),
  );
}
