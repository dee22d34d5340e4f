/**
 * `npx tsx test/bench/scriptCost.ts`: what the warm home page script costs Redis, per call,
 * in µs of Redis CPU (every redis-server's, from /proc) and by command (`INFO commandstats`),
 * against the lean server's script on the same page. Reads the data `npm run bench` left in
 * its Redis database (BENCH_REDIS_URL, default 14): the first home timeline there, and the
 * lean server's copy of it. SCRIPT_FILE runs another Lua text in place of the home script
 * (same arguments), to see what a change to it would cost. N calls per script (10,000).
 *
 * With `--instructions` it counts machine instructions per call instead: the data is copied
 * into a redis-server of its own run under valgrind's callgrind, whose counts do not move
 * with the machine's load (the same script on the same data gives the same count), so two
 * scripts compare in one run however busy the machine is. N is then 300.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { scripts } from '../../app/cache/scripts';
import { LEAN_PAGE } from './servers/leanPage';
import { groupCpuMs } from '../load/cpu';

/** CPU time so far of every redis-server on the machine, in µs. */
const redisCpuMicros = () => groupCpuMs('redis') * 1000;

const INSTRUCTIONS = process.argv.includes('--instructions');
const N = Number(process.env.N ?? (INSTRUCTIONS ? 300 : 10_000));
const BATCH = 50;

/** Microseconds spent so far by each command, from INFO commandstats. */
async function commandMicros(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const spent = new Map<string, number>();
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=\d+,usec=(\d+)/.exec(line);
    if (match) spent.set(match[1], Number(match[2]));
  }
  return spent;
}

async function measure(redis: Redis, name: string, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 500; i += 1) await call(); // warm
  const [before, cpuBefore] = [await commandMicros(redis), redisCpuMicros()];
  for (let i = 0; i < N; i += BATCH) await Promise.all(Array.from({ length: BATCH }, call));
  const [cpuAfter, after] = [redisCpuMicros(), await commandMicros(redis)];
  const byCommand = [...after]
    .map(([command, us]) => [command, (us - (before.get(command) ?? 0)) / N] as const)
    .filter(([command, us]) => us > 0.005 && command !== 'info')
    .sort((a, b) => b[1] - a[1])
    .map(([command, us]) => `${command} ${us.toFixed(2)}`);
  const cpu = ((cpuAfter - cpuBefore) / N).toFixed(1);
  console.log(`${name.padEnd(6)} Redis CPU µs/call ${cpu.padStart(6)}   ${byCommand.join(', ')}`);
}

/** A script call to measure: its name and one call of it. */
type Call = [name: string, call: () => Promise<unknown>];

/** The home page script (or SCRIPT_FILE) and lean's, called on `redis` with the bench's keys. */
async function calls(redis: Redis): Promise<Call[]> {
  const [home] = await redis.keys('tl:h:*');
  const [leanHome] = await redis.keys('bench:lean:home:*');
  if (!home || !leanHome) throw new Error('no bench data: run `npm run bench` first');
  const viewer = /\d+/.exec(home)![0];
  const lua = process.env.SCRIPT_FILE
    ? readFileSync(process.env.SCRIPT_FILE, 'utf8')
    : scripts.homePage.lua;
  const homeSha = (await redis.script('LOAD', lua)) as string;
  const leanSha = (await redis.script('LOAD', LEAN_PAGE)) as string;
  const counter = `bench:scriptCost:${process.pid}`;
  return [
    [
      'home',
      () => redis.evalsha(homeSha, 0, viewer, '+inf', '21', '20', counter, '1000000000', '60'),
    ],
    ['lean', () => redis.evalsha(leanSha, 1, leanHome, 'bench:lean:item:', '20')],
  ];
}

/** A connection to the redis-server on `port`, once it answers (valgrind starts it slowly). */
async function connectWhenUp(port: number): Promise<Redis> {
  for (let tries = 0; ; tries += 1) {
    const redis = new Redis({ port, lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
      return redis;
    } catch (error) {
      redis.disconnect();
      if (tries === 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A redis-server of this script's own under callgrind, holding a copy of `source`'s keys. */
async function redisUnderCallgrind(source: Redis, dir: string) {
  const port = 6300 + (process.pid % 600);
  const server: ChildProcess = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'cg.out')}`, 'redis-server'].concat([
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]),
    { stdio: 'ignore' },
  );
  let copy: Redis;
  try {
    copy = await connectWhenUp(port);
    for (const key of await source.keys('*')) {
      const dump = await source.dumpBuffer(key);
      if (dump) await copy.restore(key, 0, dump, 'REPLACE');
    }
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
  const control = (option: string) =>
    execFileSync('callgrind_control', [option, String(server.pid)], { stdio: 'ignore' });
  /** Instructions counted since the last zeroing (callgrind writes one file per dump). */
  const counted = () => {
    control('-d');
    const [newest] = readdirSync(dir)
      .map((name) => join(dir, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    return Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(newest, 'utf8'))![1]);
  };
  return {
    copy,
    zero: () => control('-z'),
    counted,
    stop: () => {
      copy.disconnect();
      server.kill('SIGKILL');
    },
  };
}

async function countInstructions(source: Redis): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chirp-scriptcost-'));
  const server = await redisUnderCallgrind(source, dir);
  try {
    for (const [name, call] of await calls(server.copy)) {
      for (let i = 0; i < 20; i += 1) await call(); // warm
      server.zero();
      for (let i = 0; i < N; i += 1) await call();
      const perCall = server.counted() / N / 1000;
      console.log(
        `${name.padEnd(6)} Redis instructions per call ${perCall.toFixed(1).padStart(7)} k`,
      );
    }
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14');
  try {
    if (INSTRUCTIONS) {
      await countInstructions(redis);
      return;
    }
    for (const [name, call] of await calls(redis)) await measure(redis, name, call);
    await redis.del(`bench:scriptCost:${process.pid}`);
  } finally {
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
