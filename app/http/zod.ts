import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Every schema file imports `z` from here, so `.openapi()` is always available on it.
extendZodWithOpenApi(z);

export { z };

/** A 64-bit unsigned id as a decimal string (ids are strings in every JSON answer). */
export const Id = z
  .string()
  .regex(/^[1-9][0-9]{0,19}$/, 'must be a numeric id')
  // zod runs every check even after the regex failed: only judge the range of digits.
  .refine(
    (value) => !/^[0-9]{1,20}$/.test(value) || BigInt(value) <= 18446744073709551615n,
    'must be a numeric id',
  )
  .openapi({ example: '1024' });

/** `:id` in a path. */
export const IdParams = z.object({ id: Id });

/** A timestamp as it appears in answers: ISO 8601, UTC. */
export const Timestamp = z.iso.datetime().openapi({ example: '2026-11-27T12:00:00.000Z' });

/** The problem details body of every error answer (RFC 9457). */
export const Problem = z
  .object({
    type: z.string().openapi({ example: 'urn:chirp:problem:validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'validation_failed' }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');
