/**
 * CPU per process group, sampled from /proc around each step: the evidence for which
 * part of the system saturates first.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type Group = 'api' | 'worker' | 'mysql' | 'redis' | 'artillery';
/**
 * % of one core per group over the window, `machine` in % of all cores, and
 * `generatorThread`: Artillery's busiest thread, which is the load generator's ceiling
 * (its virtual users all run on one worker thread on a 2-core machine).
 */
export type CpuShare = Record<Group | 'machine' | 'generatorThread', number>;
const TICKS = 100; // USER_HZ on Linux

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function groupOf(pid: number, known: Map<number, Group>): Group | null {
  const fromPm2 = known.get(pid);
  if (fromPm2) return fromPm2;
  const cmd = (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ');
  if (/mysqld|mariadbd/.test(cmd)) return 'mysql';
  if (cmd.includes('redis-server')) return 'redis';
  if (cmd.includes('artillery/bin/run')) return 'artillery';
  if (known.size === 0 && cmd.includes('dist/app/index.js')) return 'api';
  if (known.size === 0 && cmd.includes('dist/workers/index.js')) return 'worker';
  return null;
}

interface Snapshot {
  at: number;
  machineBusy: number;
  byGroup: Record<Group, number>;
  /** CPU ticks of each Artillery thread, by `pid/tid`. */
  generatorThreads: Map<string, number>;
}

const ticksOf = (stat: string) => {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};

/** Takes a snapshot; `known` maps the PM2 processes' pids (empty for --target: cmdline decides). */
export function snapshot(known: Map<number, Group>): Snapshot {
  const byGroup: Record<Group, number> = { api: 0, worker: 0, mysql: 0, redis: 0, artillery: 0 };
  const generatorThreads = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const group = groupOf(pid, known);
    const stat = group ? read(`/proc/${pid}/stat`) : null;
    if (!group || !stat) continue;
    byGroup[group] += ticksOf(stat);
    if (group !== 'artillery') continue;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const threadStat = read(`/proc/${pid}/task/${tid}/stat`);
      if (threadStat) generatorThreads.set(`${pid}/${tid}`, ticksOf(threadStat));
    }
  }
  const cpu = (read('/proc/stat') ?? '').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + cpu[4];
  return {
    at: performance.now(),
    machineBusy: cpu.reduce((a, b) => a + b, 0) - idle,
    byGroup,
    generatorThreads,
  };
}

/** CPU between two snapshots, in % of one core (machine: % of all cores). */
export function share(before: Snapshot, after: Snapshot, cores: number): CpuShare {
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks: number) => Math.round((ticks / TICKS / seconds) * 100);
  const groups = Object.keys(before.byGroup) as Group[];
  const result = Object.fromEntries(
    groups.map((g) => [g, pct(after.byGroup[g] - before.byGroup[g])]),
  );
  const threadTicks = [...after.generatorThreads].map(
    ([id, ticks]) => ticks - (before.generatorThreads.get(id) ?? 0),
  );
  return {
    ...result,
    machine: Math.round(pct(after.machineBusy - before.machineBusy) / cores),
    generatorThread: pct(Math.max(0, ...threadTicks)),
  } as CpuShare;
}

/**
 * CPU time so far of every process of `group` found by its command line (every
 * redis-server, say), in ms: for a harness that times one group by itself.
 */
export const groupCpuMs = (group: Group): number =>
  (snapshot(new Map()).byGroup[group] * 1000) / TICKS;

/** Starts sampling now; the function returned ends the window and answers the shares. */
export function startCpu(known: Map<number, Group>, cores: number): () => CpuShare {
  const before = snapshot(known);
  return () => share(before, snapshot(known), cores);
}
