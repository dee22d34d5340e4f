/**
 * `npm run secret:rotate`: replaces the access-token signing secret kept in MySQL (used when
 * JWT_SECRET is not set) with a new random one. API nodes read it at boot: reload them.
 */
import { config } from '../../config';
import { rotateSigningSecret } from '../auth/signingSecret';
import { runCommand } from './command';

const DONE =
  'The signing secret kept in MySQL was replaced. Reload the API (`pm2 reload api`) so every ' +
  'node signs with it: access tokens signed before are then refused (401) and clients get new ' +
  'ones with their refresh token, which is opaque and stays valid.\n';

const OPERATOR_SECRET =
  'JWT_SECRET is set, so the API signs with it, not with the secret kept in MySQL: to rotate, ' +
  'change JWT_SECRET on every API node and reload them.\n';

async function main(): Promise<number> {
  if (config.jwt.secret !== null) {
    process.stderr.write(
      config.jwt.usingDevelopmentSecret
        ? `NODE_ENV=${config.env} signs with the public development secret; nothing to rotate.\n`
        : OPERATOR_SECRET,
    );
    return 1;
  }
  await rotateSigningSecret();
  process.stdout.write(DONE);
  return 0;
}

runCommand('Could not rotate the secret (is MySQL running and migrated?)', main);
