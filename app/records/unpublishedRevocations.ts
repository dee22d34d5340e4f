import { select, execute } from '../infra/db';

/**
 * The `unpublished_revocations` table (revocations that could not be written to Redis; the
 * highest id is the revocation epoch): every SQL statement on it lives here. Raw SQL, no
 * model: the epoch is an aggregate, and the insert needs only its id back.
 */

/** The revocation epoch (0 when no revocation went unpublished), read from the primary. */
export async function latestRevocationId(): Promise<number> {
  const [row] = await select<{ epoch: string | null }>(
    'SELECT MAX(id) AS epoch FROM unpublished_revocations',
    { useMaster: true },
  );
  return Number(row?.epoch ?? 0);
}

/** Records an unpublished revocation of a user's tokens; answers its id (the new epoch). */
export async function insertUnpublishedRevocation(userId: string): Promise<number> {
  const { insertId } = await execute(
    'INSERT INTO unpublished_revocations (user_id, created_at) VALUES (:userId, UTC_TIMESTAMP(3))',
    { replacements: { userId } },
  );
  return Number(insertId);
}
