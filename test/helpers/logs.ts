import { Writable } from 'node:stream';
import pino from 'pino';

export type LogLine = Record<string, unknown>;

/** The JSON objects among a process's output lines (anything else is left out). */
export function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
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
