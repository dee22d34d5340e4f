/**
 * `npm run db:seed`: a small demo world, safe to run twice (existing accounts are kept).
 * Prints how to sign in as one of the demo users.
 */
import { hashPassword } from '../app/auth/passwords';
import { sequelize } from '../app/infra/db';
import { closeRedis } from '../app/infra/redis';
import { User } from '../models';
import { config } from '../config';

export const DEMO_PASSWORD = 'chirp-demo-password';
const DEMO_USERS = [
  ['ada', 'Ada Lovelace', 'Poet of numbers.'],
  ['grace', 'Grace Hopper', 'It is easier to ask forgiveness than permission.'],
  ['alan', 'Alan Turing', 'Can machines think?'],
  ['edsger', 'Edsger Dijkstra', 'Simplicity is prerequisite for reliability.'],
  ['barbara', 'Barbara Liskov', 'Substitutable since 1987.'],
  ['ken', 'Ken Thompson', 'When in doubt, use brute force.'],
  ['margaret', 'Margaret Hamilton', 'Software engineering, named.'],
  ['linus', 'Linus Torvalds', 'Talk is cheap.'],
  ['radia', 'Radia Perlman', 'Spanning trees.'],
  ['donald', 'Donald Knuth', 'Premature optimization...'],
  ['frances', 'Frances Allen', 'Compilers.'],
  ['tim', 'Tim Berners-Lee', 'This is for everyone.'],
] as const;

async function main(): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let created = 0;
  for (const [username, displayName, bio] of DEMO_USERS) {
    const [, isNew] = await User.findOrCreate({
      where: { usernameKey: username },
      defaults: {
        username,
        usernameKey: username,
        email: `${username}@demo.chirp.localhost`,
        emailKey: `${username}@demo.chirp.localhost`,
        displayName,
        bio,
        passwordHash,
      },
    });
    if (isNew) created += 1;
  }
  process.stdout.write(
    `Seeded ${created} new demo user(s) (${DEMO_USERS.length} in all).\n` +
      `Sign in as one of them:\n` +
      `  curl -s -X POST ${config.publicUrl}/auth/login -H 'Content-Type: application/json' \\\n` +
      `    -d '{"username":"ada","password":"${DEMO_PASSWORD}"}'\n`,
  );
}

main()
  .then(async () => {
    await sequelize.close();
    await closeRedis();
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `Seeding failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
