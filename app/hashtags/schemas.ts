import { AppError } from '../http/errors';
import { z } from '../http/zod';
import { normalizeTag } from '../text/entities';

/**
 * `:tag` in a path, as a client writes it: with or without its `#` (sent as `%23`), in any
 * case or width. Any string reaches the handler, which normalises it with `tagParam`, so a
 * tag the parser would not take answers 400 naming `params.tag` rather than 404.
 */
export const TagParams = z.object({
  tag: z.string().openapi({
    description: 'The tag, with or without a leading # (%23); matched as NFKC, lowercased',
    example: 'chirp',
  }),
});

/** The stored form of a `:tag` (NFKC, lowercased); 400 when it could not be a hashtag. */
export function tagParam(raw: string): string {
  const tag = normalizeTag(raw);
  if (tag === null) {
    throw new AppError('validation_failed', 'The request has invalid fields.', [
      {
        field: 'params.tag',
        message:
          'is not a hashtag: 1-100 letters, digits, marks or _, at least one letter, no other characters',
      },
    ]);
  }
  return tag;
}

/** GET /hashtags/trending: the trending tags, most trending first. */
export const TrendingTags = z
  .object({
    data: z
      .array(
        z.object({
          tag: z.string().openapi({ description: 'NFKC, lowercased, without #', example: 'chirp' }),
          authors: z
            .number()
            .int()
            .positive()
            .openapi({ description: 'Distinct authors who used it in the last 24 hours' }),
        }),
      )
      .max(10),
  })
  .openapi('TrendingTags');
