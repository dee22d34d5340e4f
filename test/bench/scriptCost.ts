/**
 * `npx tsx test/bench/scriptCost.ts`: what the warm home page script costs Redis, per call,
 * in µs of Redis CPU (every redis-server's, from /proc) and by command (`INFO commandstats`),
 * against the lean server's script on the same page. Reads the data `npm run bench` left in
 * its Redis database (BENCH_REDIS_URL, default 14): the first home timeline there, and the
 * lean server's copy of it. SCRIPT_FILE runs another Lua text in place of the home script
 * (same arguments), to see what a change to it would cost. N calls per script (10,000).
 */
import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import { scripts } from '../../app/cache/scripts';
import { LEAN_PAGE } from './servers/leanPage';
import { groupCpuMs } from '../load/cpu';

/** CPU time so far of every redis-server on the machine, in µs. */
const redisCpuMicros = () => groupCpuMs('redis') * 1000;

const N = Number(process.env.N ?? 10_000);
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

async function main(): Promise<void> {
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14');
  try {
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
    await measure(redis, 'home', () =>
      redis.evalsha(homeSha, 0, viewer, '+inf', '21', '20', counter, '1000000000', '60'),
    );
    await measure(redis, 'lean', () =>
      redis.evalsha(leanSha, 1, leanHome, 'bench:lean:item:', '20'),
    );
    await redis.del(counter);
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
