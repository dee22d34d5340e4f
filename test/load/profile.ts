/**
 * Reads the API nodes' CPU profiles (app/ops/profiler.ts writes them on SIGUSR2) and says
 * where their busy time went: by package or Chirp file, and by function (self time).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
}

export interface Share {
  name: string;
  /** % of the busy (not idle) samples. */
  percent: number;
}
export interface ProfileSummary {
  files: string[];
  busySamples: number;
  byPlace: Share[];
  byFunction: Share[];
}

/** Where a frame's code lives: an npm package, a file of Chirp's, Node itself, or V8. */
function place(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName || '(anonymous)'; // (garbage collector), (program), natives
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return url;
  const own = /\/(?:dist\/)?((?:app|workers|config|models)\/.*)\.[jt]s$/.exec(url);
  if (own) return `chirp ${own[1]}`;
  return path.basename(url);
}

const top = (counts: Map<string, number>, total: number, n: number): Share[] =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, count]) => ({ name, percent: Math.round((count / total) * 1000) / 10 }));

/** V8's own entries, which have no caller worth naming. */
const V8 = new Set(['(garbage collector)', '(program)', '(root)', '(idle)']);

export function summariseProfiles(files: string[]): ProfileSummary {
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
    /**
     * Native functions (a socket write: `writeBuffer`, `writeUtf8String`, `writev`) have no
     * file: they are named after the first package or Chirp file that called them, so the
     * table says whose writes they were.
     */
    const where = (id: number): string => {
      const frame = nodes.get(id)!.callFrame;
      if (frame.url || V8.has(frame.functionName)) return place(frame);
      for (let up = parents.get(id); up !== undefined; up = parents.get(up)) {
        const caller = nodes.get(up)!.callFrame;
        if (caller.url && !caller.url.startsWith('node:')) {
          return `${frame.functionName} (native, from ${place(caller)})`;
        }
      }
      return place(frame);
    };
    for (const id of profile.samples) {
      const frame = nodes.get(id)?.callFrame;
      if (!frame || frame.functionName === '(idle)') continue;
      busy += 1;
      const at = where(id);
      byPlace.set(at, (byPlace.get(at) ?? 0) + 1);
      const fn = frame.url
        ? `${frame.functionName || '(anonymous)'} (${at}:${frame.lineNumber + 1})`
        : at;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + 1);
    }
  }
  return {
    files: files.map((f) => path.basename(f)),
    busySamples: busy,
    byPlace: top(byPlace, busy, 10),
    byFunction: top(byFunction, busy, 12),
  };
}
