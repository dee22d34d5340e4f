import type { KeyObject } from 'node:crypto';
import passport from 'koa-passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { unauthorized } from '../http/errors';
import type { AppContext, Viewer } from '../http/context';
import type { Authenticate } from '../http/route';
import { isAccessTokenLive } from './revocation';
import {
  accessTokenKey,
  accessTokenVerifyOptions,
  asAccessClaims,
  type AccessClaims,
} from './tokens';

/** What passport-jwt proved about a token: its claims and when it expires (ms). */
interface ProvenToken {
  claims: AccessClaims;
  expiresAt: number;
}

passport.use(
  new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Read per verification: the key may be loaded from MySQL after this module is imported.
      // passport-jwt's types say string | Buffer, but it hands the key straight to
      // jsonwebtoken, which takes a KeyObject (40x faster to verify with, see tokens.ts).
      secretOrKeyProvider: (_request: unknown, _token: unknown, done) => {
        let key: KeyObject;
        try {
          key = accessTokenKey();
        } catch (error) {
          return done(error);
        }
        done(null, key as unknown as Buffer);
      },
      algorithms: accessTokenVerifyOptions.algorithms,
      issuer: accessTokenVerifyOptions.issuer as string,
      audience: accessTokenVerifyOptions.audience as string,
    },
    (payload: unknown, done: (error: unknown, proven?: ProvenToken | false) => void) => {
      const claims = asAccessClaims(payload);
      const exp = (payload as { exp?: unknown }).exp;
      if (!claims || typeof exp !== 'number') return done(null, false);
      isAccessTokenLive(claims).then(
        (live) => done(null, live ? { claims, expiresAt: exp * 1000 } : false),
        (error) => done(error),
      );
    },
  ),
);

export { passport };

/**
 * Tokens passport-jwt has already proven, by their exact text. A client sends the same token
 * for its whole life, so later requests skip the signature check and passport's per-request
 * machinery; expiry and revocation are still checked on every request.
 */
const proven = new Map<string, ProvenToken>();
const MAX_PROVEN = 100_000;

const viewerOf = ({ claims }: ProvenToken): Viewer => ({ id: claims.sub, familyId: claims.fam });

function throughPassport(ctx: AppContext): Promise<ProvenToken> {
  return new Promise<ProvenToken>((resolve, reject) => {
    const middleware = passport.authenticate(
      'jwt',
      { session: false },
      (error: unknown, result: ProvenToken | false | undefined) => {
        if (error)
          return reject(error instanceof Error ? error : new Error('authentication failed'));
        if (!result) return reject(unauthorized());
        resolve(result);
      },
    ) as (ctx: AppContext, next: () => Promise<void>) => Promise<void>;
    middleware(ctx, () => Promise.resolve()).catch(reject);
  });
}

/**
 * Proves the caller through passport-jwt. `required` routes answer 401 without a valid
 * token; `optional` ones go on anonymously when no Authorization header is sent.
 */
export const authenticate: Authenticate = async (ctx: AppContext, mode) => {
  const header = ctx.get('Authorization');
  if (mode === 'optional' && !header) return;
  // The same reading as passport-jwt's: scheme `bearer` in any case, then the token.
  const token = /^bearer\s+(\S+)$/i.exec(header)?.[1];
  const known = token ? proven.get(token) : undefined;
  if (known && known.expiresAt > Date.now()) {
    if (!(await isAccessTokenLive(known.claims))) throw unauthorized();
    ctx.state.viewer = viewerOf(known);
    return;
  }
  const result = await throughPassport(ctx);
  if (token) {
    if (proven.size >= MAX_PROVEN) proven.clear();
    proven.set(token, result);
  }
  ctx.state.viewer = viewerOf(result);
};
