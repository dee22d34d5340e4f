import { AppError } from '../http/errors';
import type { ScriptBudget } from '../http/route';
import { logger } from '../infra/logger';
import { isCacheReady } from '../infra/redis';
import { onCluster } from '../cache/store';

/**
 * Calls a page script (homePage, authorPage) with the caller's rate-limit point spent by the
 * script itself, one round trip instead of two: the counter's arguments go last, and the
 * script's answer starts with the points consumed and the ms left, which the budget is told
 * (it throws the 429 of a spent budget). Takes the budget before its first await, as a
 * `readAhead` route's work must. Without a counter, the script is called as is.
 */
export async function withSpentPoint(
  budget: ScriptBudget | null,
  call: (...spend: string[]) => Promise<unknown>,
): Promise<Buffer[]> {
  const counter = budget?.take() ?? null;
  const spend = counter ? [counter.key, String(counter.points), String(counter.seconds)] : [];
  const reply = (await call(...spend)) as Buffer[];
  if (!counter) return reply;
  budget!.spent(Number(reply[0]), Number(reply[1]));
  return reply.slice(2);
}

/**
 * A rendering page script's answer (withSpentPoint), or null when Redis cannot give one: on a
 * Redis Cluster (the scripts read keys of other users' slots), with Redis away, or when the
 * call fails (logged at debug); the caller then takes its slower path. The 429 of a spent
 * budget is thrown.
 */
export async function renderingScriptReply(
  what: string,
  budget: ScriptBudget | null,
  call: (...spend: string[]) => Promise<unknown>,
): Promise<Buffer[] | null> {
  if (onCluster || !isCacheReady()) return null;
  try {
    return await withSpentPoint(budget, call);
  } catch (error) {
    if (error instanceof AppError) throw error;
    logger.debug({ err: error }, `${what} script failed; reading the slower way`);
    return null;
  }
}
