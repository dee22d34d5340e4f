import { tweetsWithWrongCounters, usersWithWrongCounters } from '../seeders/seeding';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { redis } from '../../app/infra/redis';
import { api, bearer, type TestUser } from '../helpers/http';
import type { Client } from '../helpers/apiNode';
import { eventually } from '../helpers/poll';
import { User } from '../../models';

/** `DELETE /users/me` as `user` with `body` (their password by default). */
export const deleteAccount = (
  user: TestUser,
  body: object = { password: user.password },
  client: Client = api(),
) => client.delete('/users/me').set(bearer(user.accessToken)).send(body);

/** Columns of the migrated schema that name a user (Chirp declares no foreign keys). */
export async function columnsNamingUsers(): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(
    `SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME) AS name FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE()
        AND COLUMN_NAME REGEXP '(^|_)(user|author|actor|follower|followee|blocker|blocked|muter|muted|admin)_id$'
      ORDER BY name`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.name);
}

/** Each `table.column` that still names `userId`, with how many rows. */
export async function rowsNaming(userId: string, columns: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const name of columns) {
    const [table, column] = name.split('.');
    const [row] = await sequelize.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM \`${table}\` WHERE \`${column}\` = :userId`,
      { replacements: { userId }, type: QueryTypes.SELECT },
    );
    if (Number(row.n) > 0) found.push(`${name}: ${row.n}`);
  }
  return found;
}

/** Users and tweets whose counters differ from a recount of the rows (none when exact). */
export async function counterMismatches(): Promise<unknown[]> {
  const everyone = { sql: 'TRUE', scope: null };
  return [
    ...(await usersWithWrongCounters(everyone)),
    ...(await tweetsWithWrongCounters(everyone)),
  ];
}

/** Waits until the deletion job removed the user row. */
export async function waitUntilGone(userId: string, timeoutMs = 60_000): Promise<void> {
  await eventually(
    () => User.findByPk(userId, { attributes: ['id'] }),
    (user) => user === null,
    `user ${userId} removed by the accounts job`,
    timeoutMs,
  );
}

/**
 * Waits until no Bull job is locked by a worker (a killed worker's locks expire within
 * Bull's lock duration): the next worker then takes its stalled jobs up as it starts.
 */
export async function waitForJobLocksToLapse(): Promise<void> {
  await eventually(
    () => redis.keys('bull:*:lock'),
    (locks) => locks.length === 0,
    'the killed worker’s job locks expired',
    45_000,
  );
}

/** Expects `response` to be a 202 of DELETE /users/me. */
export function expectDeleting(response: { status: number; body: unknown }): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(202);
  expect(response.body).to.deep.equal({ deleting: true });
}
