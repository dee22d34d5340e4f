import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { ConfigError, config, loadConfig } from '../../config';
import { startProcess } from '../helpers/processes';

/** A line of a printed stack trace ("    at fn (file:line:col)"). */
export const STACK_LINE = /^\s{4}at /m;

/**
 * Runs an entry point to completion like `runToExit`, but kills it (and fails) when it has
 * not exited within `deadlineMs`, so a process that wrongly starts serving cannot outlive
 * the suite.
 */
export async function runUntilExit(
  entry: string,
  env: Record<string, string | undefined>,
  deadlineMs = 15_000,
): Promise<{ code: number | null; output: string }> {
  const running = await startProcess(entry, env, { waitForReady: false });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const outcome = await Promise.race([running.exited, deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline') {
    await running.stop('SIGKILL');
    throw new Error(`${entry} was still running after ${deadlineMs} ms:\n${running.output()}`);
  }
  return { code: outcome, output: running.output() };
}

/** A throwaway database name no other run on this machine uses (`chirp_tmp_<tag>_<unique>`). */
export function throwawayDatabaseName(tag: string): string {
  const unique = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return `chirp_tmp_${tag}_${unique}`;
}

/** The URL of database `name` on the test MySQL server. */
export function databaseUrlFor(name: string): string {
  const url = new URL(config.databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A connection to the test MySQL server with no database selected. */
export async function connectToServer(): Promise<mysql.Connection> {
  const url = new URL(config.databaseUrl);
  url.pathname = '/';
  return mysql.createConnection({ uri: url.toString() });
}

/** The problems loadConfig names for `env`; fails the test if it accepts it. */
export function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}
