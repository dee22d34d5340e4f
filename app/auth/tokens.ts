import { createHash, createSecretKey, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import jwt, { type Algorithm, type VerifyOptions } from 'jsonwebtoken';
import { config } from '../../config';

/**
 * The signing key as a KeyObject: jsonwebtoken verifies in ~9 µs with one, against ~350 µs
 * when handed the secret as a string (it rebuilds the key on every call). Ready at import when
 * JWT_SECRET (or the development secret) is configured; otherwise set at boot from the secret
 * kept in MySQL (app/auth/signingSecret.ts).
 */
let signingKey: KeyObject | null =
  config.jwt.secret === null ? null : createSecretKey(Buffer.from(config.jwt.secret, 'utf8'));

/** Makes `secret` the key every access token is signed and verified with, in this process. */
export function useSigningSecret(secret: string): void {
  signingKey = createSecretKey(Buffer.from(secret, 'utf8'));
}

/** The access-token key; throws until the API has loaded its secret. */
export function accessTokenKey(): KeyObject {
  if (!signingKey) {
    throw new Error('The signing secret is not loaded yet: call loadSigningSecret() at boot');
  }
  return signingKey;
}

const ISSUER = 'chirp';
const AUDIENCE = 'chirp-api';

/** The only algorithm accepted: `alg: none` and algorithm swaps are refused. */
export const ACCESS_TOKEN_ALGORITHMS: Algorithm[] = ['HS256'];

/** Options every access-token check uses (REST through passport-jwt, and sockets). */
export const accessTokenVerifyOptions: VerifyOptions = {
  algorithms: ACCESS_TOKEN_ALGORITHMS,
  issuer: ISSUER,
  audience: AUDIENCE,
};

/** The claims Chirp puts in an access token. */
export interface AccessClaims {
  sub: string;
  /** The user's token version when issued; a password reset bumps it. */
  ver: number;
  /** The refresh-token family the token belongs to; logout revokes it. */
  fam: string;
}

/** Signs an access token; `issuedAt` (epoch seconds, default now) makes it reproducible. */
export function signAccessToken(claims: AccessClaims, issuedAt?: number): string {
  const payload = issuedAt === undefined ? claims : { ...claims, iat: issuedAt };
  return jwt.sign(payload, accessTokenKey(), {
    algorithm: 'HS256',
    expiresIn: config.jwt.accessTtlSeconds,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
}

/** Narrows a verified JWT payload to Chirp's claims, or null when it is not one of ours. */
export function asAccessClaims(payload: unknown): AccessClaims | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { sub, ver, fam } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || !/^[1-9][0-9]{0,19}$/.test(sub)) return null;
  if (typeof ver !== 'number' || !Number.isInteger(ver) || ver < 0) return null;
  if (typeof fam !== 'string' || fam.length !== 36) return null;
  return { sub, ver, fam };
}

/** A new opaque secret (refresh and reset tokens): 256 random bits, base64url. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored for an opaque token: its SHA-256, hex. Lookups go by this. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export const newFamilyId = (): string => randomUUID();
