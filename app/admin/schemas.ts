import { PageQuery, pageOf } from '../http/paging';
import { Id, Timestamp, z } from '../http/zod';
import { AUDIT_ACTIONS } from '../records/auditLog';

/** The longest reason an admin may give (the `audit_log.reason` column holds it). */
export const MAX_REASON = 500;

/** `{reason}` of a suspension or its lifting: 1-500 characters (code points) once trimmed. */
export const ReasonBody = z
  .strictObject({
    reason: z
      .string()
      .max(MAX_REASON * 4, `must be at most ${MAX_REASON} characters`)
      .transform((value) => value.trim())
      .refine((value) => value.length > 0, 'must not be empty')
      .refine(
        (value) => [...value].length <= MAX_REASON,
        `must be at most ${MAX_REASON} characters`,
      )
      .openapi({
        type: 'string',
        minLength: 1,
        maxLength: MAX_REASON,
        example: 'Spam: the same link posted 300 times.',
      }),
  })
  .openapi('ReasonBody');

export const SuspensionSchema = z
  .object({
    id: Id,
    username: z.string(),
    suspended: z.boolean().openapi({ description: 'Whether the account is suspended now' }),
  })
  .openapi('Suspension');

export type SuspensionJson = z.infer<typeof SuspensionSchema>;

/** An account an audit entry names; `username` is null once the account is gone. */
const AuditAccount = z.object({ id: Id, username: z.string().nullable() });

export const AuditEntrySchema = z
  .object({
    id: Id,
    action: z.enum(AUDIT_ACTIONS),
    admin: AuditAccount.nullable().openapi({
      description: 'Who acted; null for the `admin:grant` command line',
    }),
    targetUser: AuditAccount.nullable(),
    targetTweetId: Id.nullable(),
    reason: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('AuditEntry');

export type AuditEntryJson = z.infer<typeof AuditEntrySchema>;

export const AuditPage = pageOf(AuditEntrySchema, 'AuditPage');

export const AuditQuery = PageQuery;
