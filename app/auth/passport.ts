import passport from 'koa-passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { unauthorized } from '../errors';
import type { AppContext, Viewer } from '../http/context';
import type { Authenticate } from '../http/route';
import { isAccessTokenLive } from './revocation';
import { accessTokenKey, accessTokenVerifyOptions, asAccessClaims } from './tokens';

passport.use(
  new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's types say string | Buffer, but it hands the key straight to
      // jsonwebtoken, which takes a KeyObject (40x faster to verify with, see tokens.ts).
      secretOrKey: accessTokenKey as unknown as Buffer,
      algorithms: accessTokenVerifyOptions.algorithms,
      issuer: accessTokenVerifyOptions.issuer as string,
      audience: accessTokenVerifyOptions.audience as string,
    },
    (payload: unknown, done: (error: unknown, viewer?: Viewer | false) => void) => {
      const claims = asAccessClaims(payload);
      if (!claims) return done(null, false);
      isAccessTokenLive(claims).then(
        (live) => done(null, live ? { id: claims.sub, familyId: claims.fam } : false),
        (error) => done(error),
      );
    },
  ),
);

export { passport };

/**
 * Proves the caller through passport-jwt. `required` routes answer 401 without a valid
 * token; `optional` ones go on anonymously when no Authorization header is sent.
 */
export const authenticate: Authenticate = async (ctx: AppContext, mode) => {
  if (mode === 'optional' && !ctx.get('Authorization')) return;
  await new Promise<void>((resolve, reject) => {
    const middleware = passport.authenticate(
      'jwt',
      { session: false },
      (error: unknown, viewer: Viewer | false | undefined) => {
        if (error)
          return reject(error instanceof Error ? error : new Error('authentication failed'));
        if (!viewer) return reject(unauthorized());
        ctx.state.viewer = viewer;
        resolve();
      },
    ) as (ctx: AppContext, next: () => Promise<void>) => Promise<void>;
    middleware(ctx, () => Promise.resolve()).catch(reject);
  });
};
