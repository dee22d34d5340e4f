import { Writable } from 'node:stream';
import pino from 'pino';
import { freePort, type RunningProcess, startProcess } from './processes';

export type LogLine = Record<string, unknown>;

/** The JSON objects among a process's output lines (anything else is left out). */
export function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** An API process of the test's own whose log is read from its output. */
export async function startLoggingApi(
  level: string,
): Promise<{ process: RunningProcess; base: string }> {
  const port = await freePort();
  const running = await startProcess('app/index.ts', { PORT: String(port), LOG_LEVEL: level });
  return { process: running, base: `http://127.0.0.1:${port}` };
}

/** A pino logger with `options` that keeps every line it writes in `lines`. */
export function memoryLogger(options: pino.LoggerOptions): {
  log: pino.Logger;
  lines: string[];
} {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { log: pino(options, stream), lines };
}
