/**
 * Where app/ops/profiler.ts writes CPU profiles and the signal that asks for one: free of
 * imports from the app, so tools outside it (the load-test runner) can signal a process and
 * find what it wrote.
 */
import os from 'node:os';
import path from 'node:path';

/** The first starts a profile, the next stops and writes it. */
export const PROFILE_SIGNAL = 'SIGUSR2';

/** The start of the file names of one process's profiles, in `os.tmpdir()`. */
export const profilePrefix = (role: string, pid: number): string => `chirp-${role}-${pid}-`;

/** Where a profile of that process started at `startedAt` is written. */
export function profilePath(role: string, pid: number, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  return path.join(os.tmpdir(), `${profilePrefix(role, pid)}${stamp}.cpuprofile`);
}
