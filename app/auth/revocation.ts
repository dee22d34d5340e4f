import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../../config';
import { logger } from '../infra/logger';
import { warnThrottled } from '../infra/timing';
import { createRedis, isRedisReady, redis } from '../infra/redis';
import { findTokenVersion } from '../records/users';
import { familyRevoked } from '../records/refreshTokens';
import type { AccessClaims } from './tokens';
import {
  EPOCH_KEY,
  confirmationKey,
  epochFresh,
  familyKey,
  familyMarkSeconds,
  onEpochMoved,
  pollRevocationEpoch,
  recordUnpublishedRevocation,
  redisFactsTrusted,
  versionKey,
} from './revocationEpoch';

/**
 * Access tokens are JWTs, so revoking one means remembering what is revoked. Two facts are
 * kept in Redis, with MySQL as the source they are rebuilt from:
 * - `auth:tv:<userId>`: the user's current token version (a password reset bumps it);
 * - `auth:fr:<familyId>`: present while a logged-out family's access tokens could still live.
 * One MGET answers both for a request, with `auth:epoch`, which says whether Redis's facts
 * can be trusted (revocationEpoch.ts). When the version key is missing (evicted, flushed,
 * Redis replaced) or the facts are not trusted, MySQL answers and the facts are written back.
 */
const VERSION_TTL_SECONDS = 86_400;

async function checkInMysql(claims: AccessClaims): Promise<boolean> {
  // The primary, never a replica: a lagging one would accept a token revoked a moment ago,
  // or refuse one whose user registered a moment ago.
  const [user, revoked] = await Promise.all([
    findTokenVersion(claims.sub),
    familyRevoked(claims.fam),
  ]);
  if (!user) return false;
  // A cache refill only, skipped while Redis is away rather than waiting on a reconnect.
  if (isRedisReady()) await writeBackFacts(claims, user.tokenVersion, revoked);
  return user.tokenVersion === claims.ver && !revoked;
}

async function writeBackFacts(claims: AccessClaims, version: number, revoked: boolean) {
  try {
    // The family mark goes back first: a version key found without it reads as "not revoked".
    if (revoked) await publishFamilyRevoked(claims.fam, claims.sub, { confirmed: false });
    // NX: a reset that committed after our read has published a newer version; keep it.
    await redis.set(versionKey(claims.sub), String(version), 'EX', VERSION_TTL_SECONDS, 'NX');
  } catch {
    // The next request reads MySQL again.
  }
}

/**
 * Verdicts are also kept in process for a few seconds, so a busy client costs no Redis
 * round trip per request. Every revocation is published on a channel; each process drops
 * its verdicts when it hears one (and the revoking process at once), and confirms it. The
 * revoking request is answered once every process that got the message has confirmed
 * (PUBLISH counts them), so from the answer on no process holds a verdict from before it;
 * one that does not confirm in time makes the announcement fail, and the revocation goes the
 * way of one Redis could not take (revocationNotPublished). A process keeps and uses verdicts
 * only while it is subscribed: from the moment its subscriber connection drops until it has
 * subscribed again, messages are lost, so every request asks Redis.
 */
const VERDICT_TTL_MS = 5000;
const MAX_VERDICTS = 50_000;
const REVOCATIONS_CHANNEL = `${config.mainChannelPrefix}auth:revocations`;
/** How long a revocation waits for every listening process to confirm it. */
const CONFIRM_TIMEOUT_MS = 500;
const CONFIRM_POLL_MS = 5;
const CONFIRMATION_TTL_SECONDS = 60;
const verdicts = new Map<string, { live: boolean; until: number }>();
let listening = false;
/** Whether the subscriber is subscribed now (no revocation message can be missed). */
let hearing = false;
/** Moves at every forgetting: a verdict read before one is not kept after it. */
let generation = 0;

function forgetVerdicts(): void {
  verdicts.clear();
  generation += 1;
}
const revocationListeners: ((userId: string) => void)[] = [];

/** Calls `listener` with the user id of every revocation, heard from any process. */
export function onRevocation(listener: (userId: string) => void): void {
  revocationListeners.push(listener);
  listenForRevocations();
}

function listenForRevocations(): void {
  if (listening) return;
  listening = true;
  // A higher epoch means a revocation no message announced: no verdict can be trusted.
  onEpochMoved(forgetVerdicts);
  pollRevocationEpoch();
  // Subscribed by hand at every (re)connect, so `hearing` turns true only once it is done.
  const subscriber = createRedis({
    name: 'auth-revocations',
    blocking: true,
    autoResubscribe: false,
  });
  subscriber.on('message', (_channel: string, message: string) => {
    const [userId, confirmation] = message.split(' ');
    forgetVerdicts();
    // A confirmation request follows its revocation's bare message, on which listeners ran.
    if (confirmation) void confirm(confirmation);
    else for (const listener of revocationListeners) listener(userId);
  });
  subscriber.on('close', () => {
    hearing = false;
    forgetVerdicts();
  });
  subscriber.on('ready', () => {
    subscriber.subscribe(REVOCATIONS_CHANNEL).then(
      () => {
        forgetVerdicts(); // messages may have been missed while away
        hearing = true;
      },
      (error: unknown) => logger.warn({ err: error }, 'cannot subscribe to token revocations'),
    );
  });
}

/**
 * Users with a revocation that Redis may not hold (it could not be written there when it was
 * made): this process asks MySQL about their tokens, whatever Redis says, until every access
 * token the revocation could concern has expired. Every node learns of such a revocation
 * through the epoch; this map is what remains if the epoch could not be raised.
 */
const unpublished = new Map<string, number>();

/**
 * Records that a revocation of the user's tokens could not be written to Redis: in MySQL,
 * where every node reads it within a second, and in this process. Resolves once every node
 * refuses the revoked tokens (the caller answers the revoking request then).
 */
export async function revocationNotPublished(userId: string): Promise<void> {
  forgetVerdicts();
  const now = Date.now();
  for (const [id, until] of unpublished) if (until <= now) unpublished.delete(id);
  unpublished.set(userId, now + familyMarkSeconds() * 1000);
  try {
    await recordUnpublishedRevocation(userId);
  } catch (error) {
    logger.error({ err: error, userId }, 'could not record an unpublished revocation');
  }
}

function revocationMayBeMissing(userId: string): boolean {
  const until = unpublished.get(userId);
  if (until === undefined) return false;
  if (until > Date.now()) return true;
  unpublished.delete(userId);
  return false;
}

/** Tells the revoking process that this one has dropped its verdicts. */
async function confirm(confirmation: string): Promise<void> {
  const key = confirmationKey(confirmation);
  try {
    await redis.multi().incr(key).expire(key, CONFIRMATION_TTL_SECONDS).exec();
  } catch (error) {
    // The revoking process stops waiting and takes the path of an unpublished revocation.
    warnThrottled('revocation-confirm', { err: error }, 'cannot confirm a token revocation');
  }
}

/**
 * Publishes a revocation. `confirmed`: resolves once every process that got the message has
 * dropped its verdicts, and rejects when one has not within CONFIRM_TIMEOUT_MS.
 */
async function announceRevocation(userId: string, confirmed: boolean): Promise<void> {
  forgetVerdicts();
  // The bare user id first, as every process reads it, older versions too (during a rolling
  // upgrade they still cut the user's sockets); then, on the same connection so in order, the
  // request to confirm, which older versions take for an unknown user and ignore.
  await redis.publish(REVOCATIONS_CHANNEL, userId);
  if (!confirmed) return;
  const confirmation = randomUUID();
  const listeners = await redis.publish(REVOCATIONS_CHANNEL, `${userId} ${confirmation}`);
  const deadline = performance.now() + CONFIRM_TIMEOUT_MS;
  for (;;) {
    const count = Number((await redis.get(confirmationKey(confirmation))) ?? 0);
    if (count >= listeners) return;
    if (performance.now() >= deadline) {
      throw new Error(`${count} of ${listeners} processes confirmed the revocation in time`);
    }
    await sleep(CONFIRM_POLL_MS);
  }
}

/** True when the token's user still has its version and its family was not logged out. */
export async function isAccessTokenLive(claims: AccessClaims): Promise<boolean> {
  listenForRevocations();
  // While Redis is away no revocation can be announced, from this process or any other, so
  // no verdict kept in process can be trusted: MySQL, the source of truth, answers each one.
  // So it does while this node's revocation epoch is not fresh (see EPOCH_TRUST_MS).
  if (!isRedisReady() || revocationMayBeMissing(claims.sub) || !epochFresh()) {
    return checkInMysql(claims);
  }
  if (!hearing) return checkInRedis(claims);
  const key = `${claims.sub}:${claims.ver}:${claims.fam}`;
  const now = Date.now();
  const known = verdicts.get(key);
  if (known && known.until > now) return known.live;
  const before = generation;
  const live = await checkInRedis(claims);
  if (!hearing || generation !== before) return live; // a revocation may have come meanwhile
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(key, { live, until: now + VERDICT_TTL_MS });
  return live;
}

async function checkInRedis(claims: AccessClaims): Promise<boolean> {
  let cached: (string | null)[];
  try {
    cached = await redis.mget(versionKey(claims.sub), familyKey(claims.fam), EPOCH_KEY);
  } catch (error) {
    logger.debug({ err: error }, 'revocation cache unavailable, asking MySQL');
    return checkInMysql(claims);
  }
  const [version, familyRevoked, epoch] = cached;
  if (version === null || !redisFactsTrusted(epoch)) return checkInMysql(claims);
  return Number(version) === claims.ver && familyRevoked === null;
}

/**
 * Records a new token version for a user (after the reset that bumped it committed), and
 * resolves once every process refuses the old tokens (see announceRevocation).
 */
export async function publishTokenVersion(userId: string, version: number): Promise<void> {
  forgetVerdicts();
  await redis.set(versionKey(userId), String(version), 'EX', VERSION_TTL_SECONDS);
  await announceRevocation(userId, true);
}

/**
 * Marks a family's access tokens revoked for as long as any of them could be unexpired.
 * `confirmed` (the default for a logout): resolves once every process refuses them; a cache
 * refill writing back a fact MySQL already holds does not wait.
 */
export async function publishFamilyRevoked(
  familyId: string,
  userId: string,
  { confirmed = true } = {},
): Promise<void> {
  forgetVerdicts();
  await redis.set(familyKey(familyId), '1', 'EX', familyMarkSeconds());
  await announceRevocation(userId, confirmed);
}
