import { logger } from './logger';

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const lastWarned = new Map<string, number>();

/** A warning logged at most once a minute per topic: an outage is one line, not thousands. */
export function warnThrottled(topic: string, fields: object, message: string): void {
  const now = Date.now();
  if (now - (lastWarned.get(topic) ?? 0) < 60_000) return;
  lastWarned.set(topic, now);
  logger.warn(fields, message);
}
