import { expect } from 'chai';
import { User } from '../../models';
import type { ApiNode } from '../helpers/apiNode';
import { api, bearer, type TestUser } from '../helpers/http';

interface AuditEntry {
  id: string;
  action: string;
  admin: { id: string; username: string | null } | null;
  targetUser: { id: string; username: string | null } | null;
  targetTweetId: string | null;
  reason: string | null;
  createdAt: string;
}

/** Gives `user` the admin role (what `npm run admin:grant` does). */
export async function makeAdmin(user: TestUser): Promise<void> {
  await User.update({ role: 'admin' }, { where: { id: user.id } });
}

/** `POST /admin/users/:id/<what>` by `admin` through `node`, with `body`. */
export function moderate(
  node: ApiNode | null,
  admin: TestUser,
  what: 'suspend' | 'unsuspend',
  id: string,
  body: object = { reason: 'spam, in a test' },
) {
  const client = node ? node.client() : api();
  return client.post(`/admin/users/${id}/${what}`).set(bearer(admin.accessToken)).send(body);
}

/** Every audit entry naming `userId` (newest first), read by `admin`. */
export async function auditOf(admin: TestUser, userId: string): Promise<AuditEntry[]> {
  const response = await api().get('/admin/audit?limit=100').set(bearer(admin.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as { data: AuditEntry[] }).data.filter(
    (entry) => entry.targetUser?.id === userId,
  );
}
