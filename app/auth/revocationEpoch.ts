import { randomUUID } from 'node:crypto';
import { config } from '../../config';
import { logger } from '../infra/logger';
import { isRedisReady, redis } from '../infra/redis';
import { warnThrottled } from '../infra/timing';
import { recentlyRevokedFamilies } from '../records/refreshTokens';
import { insertUnpublishedRevocation, latestRevocationId } from '../records/unpublishedRevocations';

/**
 * Redis may lose revocation facts: one could not be written when it was made (Redis cut off
 * from the revoking node), or Redis came back from a restart or a failover without them.
 * MySQL counts the first kind: each adds a row to `unpublished_revocations`, and the highest
 * id is the revocation epoch. Redis keeps, in `auth:epoch`, the epoch its facts were last
 * rebuilt from MySQL at; a Redis that lost its data has none. A node trusts Redis's facts only
 * while `auth:epoch` is at least the MySQL epoch it knows (read once a second), and checks
 * tokens in MySQL otherwise.
 */
export const EPOCH_KEY = 'auth:epoch';
const SWEEP_LOCK_KEY = 'auth:epoch:sweep';
export const versionKey = (userId: string) => `auth:tv:${userId}`;
export const familyKey = (familyId: string) => `auth:fr:${familyId}`;
/** How many processes confirmed a revocation message (app/auth/revocation.ts). */
export const confirmationKey = (id: string) => `auth:ack:${id}`;
/** How long any access token of a revoked family could still be unexpired, and a bit. */
export const familyMarkSeconds = () => config.jwt.accessTtlSeconds + 60;

const POLL_MS = 1000;
/**
 * A node trusts its epoch for this long after the read began. A revoking node that could not
 * write to Redis answers only this long after raising the epoch, so from its answer on, every
 * node either has read the new epoch or checks the token in MySQL.
 */
export const EPOCH_TRUST_MS = 1500;
const SWEEP_LOCK_SECONDS = 30;

let knownEpoch = 0;
let readStartedAt = -Infinity;
/** The last read failed: MySQL is unreachable from here, so a MySQL check would fail too. */
let readFailing = false;
let polling: NodeJS.Timeout | null = null;
let sweeping = false;
const epochListeners: (() => void)[] = [];

/** Whether Redis facts stamped with `redisEpoch` (null: none) can be trusted here now. */
export function redisFactsTrusted(redisEpoch: string | null): boolean {
  return epochFresh() && redisEpoch !== null && Number(redisEpoch) >= knownEpoch;
}

/** Whether this node knows the MySQL epoch as of less than EPOCH_TRUST_MS ago. */
export function epochFresh(): boolean {
  return readFailing || performance.now() - readStartedAt < EPOCH_TRUST_MS;
}

/** Calls `listener` whenever this node learns of a higher epoch (its verdicts may be wrong). */
export function onEpochMoved(listener: () => void): void {
  epochListeners.push(listener);
}

function learnEpoch(epoch: number): void {
  if (epoch <= knownEpoch) return;
  knownEpoch = epoch;
  for (const listener of epochListeners) listener();
}

/** Reads the MySQL epoch once a second, and rebuilds Redis's facts when they are behind it. */
export function pollRevocationEpoch(): void {
  if (polling) return;
  polling = setInterval(() => void pollOnce(), POLL_MS);
  polling.unref();
  void pollOnce();
}

async function pollOnce(): Promise<void> {
  const startedAt = performance.now();
  try {
    learnEpoch(await latestRevocationId());
    readStartedAt = Math.max(readStartedAt, startedAt);
    readFailing = false;
  } catch (error) {
    readFailing = true;
    warnThrottled('revocation-epoch', { err: error }, 'cannot read the revocation epoch');
    return;
  }
  if (!isRedisReady() || sweeping) return;
  try {
    const redisEpoch = await redis.get(EPOCH_KEY);
    if (redisEpoch === null || Number(redisEpoch) < knownEpoch) await rebuildRevocationFacts();
  } catch (error) {
    warnThrottled('revocation-sweep', { err: error }, 'cannot rebuild revocation facts');
  }
}

/**
 * Records, in MySQL, a revocation that could not be written to Redis, and raises the epoch
 * this node knows at once. Resolves after EPOCH_TRUST_MS, when every node has learnt of it.
 */
export async function recordUnpublishedRevocation(userId: string): Promise<void> {
  learnEpoch(await insertUnpublishedRevocation(userId));
  await new Promise((resolve) => setTimeout(resolve, EPOCH_TRUST_MS));
}

/** Sets `auth:epoch` if this sweep still holds the lock (Redis did not restart meanwhile). */
const CLOSE_SWEEP = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if current < tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

/**
 * Rewrites every revocation fact that could matter now from MySQL: families revoked within
 * an access token's lifetime are marked, their users' token versions forgotten (the next
 * check reads MySQL and writes the version back). Then, if Redis kept the sweep's lock all
 * along (a restart would have dropped it), `auth:epoch` says Redis is complete up to the
 * epoch read before the facts. One sweep at a time across nodes; answers whether it ran.
 */
export async function rebuildRevocationFacts(): Promise<boolean> {
  const token = randomUUID();
  const locked = await redis.set(SWEEP_LOCK_KEY, token, 'EX', SWEEP_LOCK_SECONDS, 'NX');
  if (locked === null) return false;
  sweeping = true;
  try {
    const epoch = await latestRevocationId();
    const revoked = await recentlyRevokedFamilies(familyMarkSeconds());
    await writeFacts(revoked);
    const closed = await redis.eval(CLOSE_SWEEP, 2, EPOCH_KEY, SWEEP_LOCK_KEY, token, epoch);
    logger.info({ epoch, families: revoked.length, closed }, 'revocation facts rebuilt');
    return closed === 1;
  } catch (error) {
    // Free the lock for the next sweep; Redis stays untrusted (no new epoch) until one ends.
    await redis.eval(RELEASE_SWEEP, 1, SWEEP_LOCK_KEY, token).catch(() => undefined);
    throw error;
  } finally {
    sweeping = false;
  }
}

const RELEASE_SWEEP = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** Marks the families revoked and forgets their users' versions; throws if any write failed. */
async function writeFacts(revoked: { familyId: string; userId: string }[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const { familyId } of revoked) {
    pipeline.set(familyKey(familyId), '1', 'EX', familyMarkSeconds());
  }
  for (const userId of new Set(revoked.map((row) => String(row.userId)))) {
    pipeline.del(versionKey(userId));
  }
  const results = (await pipeline.exec()) ?? [];
  const failure = results.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
}
