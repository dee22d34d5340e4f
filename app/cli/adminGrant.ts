/**
 * `npm run admin:grant -- <username>`: makes an account an admin, who may open the queue
 * board at /admin/queues. `npm run admin:grant -- --revoke <username>` takes it back. Takes
 * effect on the next request: the board reads the role on every one. A change is written to
 * the audit log (`GET /admin/audit`) with no admin: it was made from the command line.
 */
import { sequelize } from '../infra/db';
import { insertAuditEntry } from '../records/auditLog';
import { lockUserByUsername, setUserRole } from '../records/users';
import type { UserRole } from '../../models/User';
import { runCommand } from './command';

const USAGE = 'Usage: npm run admin:grant -- [--revoke] <username>\n';

/** Sets the role and answers the sentence to print, or null when there is no such user. */
async function setRole(username: string, role: UserRole): Promise<string | null> {
  return sequelize.transaction(async (transaction) => {
    const user = await lockUserByUsername(username, transaction);
    if (!user) return null;
    if (user.role === role) {
      return role === 'admin'
        ? `${user.username} is already an admin.`
        : `${user.username} is not an admin; nothing to revoke.`;
    }
    await setUserRole(user, role, transaction);
    await insertAuditEntry(
      {
        adminId: null, // the command line: whoever can run it on a server
        action: role === 'admin' ? 'grant_admin' : 'revoke_admin',
        targetUserId: String(user.id),
      },
      transaction,
    );
    return role === 'admin'
      ? `${user.username} is now an admin and may open the queue board at /admin/queues.`
      : `${user.username} is no longer an admin.`;
  });
}

async function main(args: string[]): Promise<number> {
  const revoke = args[0] === '--revoke';
  const names = revoke ? args.slice(1) : args;
  if (names.length !== 1 || names[0].startsWith('-')) {
    process.stderr.write(USAGE);
    return 64; // EX_USAGE
  }
  const [username] = names;
  const said = await setRole(username, revoke ? 'user' : 'admin');
  if (said === null) {
    process.stderr.write(`There is no user named "${username}"; nothing was changed.\n`);
    return 1;
  }
  process.stdout.write(`${said}\n`);
  return 0;
}

runCommand('Could not change the role (is MySQL running?)', () => main(process.argv.slice(2)));
