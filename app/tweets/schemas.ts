import { VIEWER_FLAGS, type ViewerFlag } from '../cache/keys';
import { pageOf } from '../http/paging';
import { Id, Timestamp, z } from '../http/zod';

/** 1-280 characters, counted as code points after NFC normalisation; not only whitespace. */
export const TweetContent = z
  .string()
  .max(4000, 'must be at most 280 characters')
  .transform((value) => value.normalize('NFC'))
  .refine((value) => [...value].length <= 280, 'must be at most 280 characters')
  .refine((value) => value.trim().length > 0, 'must not be empty or only whitespace')
  .openapi({ type: 'string', minLength: 1, maxLength: 280, example: 'Hello, Chirp!' });

export const CreateTweetBody = z
  .object({ content: TweetContent, replyToId: Id.optional() })
  .openapi('CreateTweetBody');

export const AuthorSummary = z
  .object({ id: Id, username: z.string(), displayName: z.string() })
  .openapi('AuthorSummary');

/** One boolean per viewer flag (`liked`, `retweeted`), last in a tweet as presenter.ts has them. */
const viewerFlagFields = Object.fromEntries(
  VIEWER_FLAGS.map(({ name }) => [name, z.boolean()]),
) as Record<ViewerFlag, z.ZodBoolean>;

export const TweetEntities = z
  .object({
    mentions: z.array(
      z
        .object({
          id: Id,
          username: z.string(),
          start: z.number().int().nonnegative(),
          end: z.number().int().nonnegative(),
        })
        .openapi('MentionEntity'),
    ),
    hashtags: z.array(
      z
        .object({
          tag: z.string().openapi({ description: 'NFKC-normalised, lowercase, without the #' }),
          start: z.number().int().nonnegative(),
          end: z.number().int().nonnegative(),
        })
        .openapi('HashtagEntity'),
    ),
  })
  .openapi('TweetEntities', {
    description:
      'Mentions of existing users and hashtags in content; start (inclusive) and end ' +
      '(exclusive) count Unicode code points of content',
  });

export const TweetSchema = z
  .object({
    id: Id,
    author: AuthorSummary,
    content: z.string(),
    createdAt: Timestamp,
    likesCount: z.number().int().nonnegative(),
    retweetsCount: z.number().int().nonnegative(),
    repliesCount: z.number().int().nonnegative(),
    replyToId: Id.nullable(),
    entities: TweetEntities,
    ...viewerFlagFields,
  })
  .openapi('Tweet');

export const RetweetItem = z
  .object({
    id: Id,
    type: z.literal('retweet'),
    retweetedBy: AuthorSummary,
    createdAt: Timestamp,
    tweet: TweetSchema,
  })
  .openapi('RetweetItem');

export const TimelineItem = z.union([TweetSchema, RetweetItem]).openapi('TimelineItem');

export const TimelinePage = pageOf(TimelineItem, 'TimelinePage');
export const TweetPage = pageOf(TimelineItem, 'TweetPage');
/** Replies are tweets, never retweet entries. */
export const ReplyPage = pageOf(TweetSchema, 'ReplyPage');

/** How many ancestors GET /tweets/:id/context answers at most (the nearest ones). */
export const MAX_ANCESTORS = 40;

export const ThreadContext = z
  .object({
    ancestors: z.array(TweetSchema).max(MAX_ANCESTORS).openapi({
      description: 'The tweets this one replies to, root first; deleted ones left out',
    }),
  })
  .openapi('ThreadContext');

export const LikeState = z
  .object({ liked: z.boolean(), likesCount: z.number().int().nonnegative() })
  .openapi('LikeState');
export const RetweetState = z
  .object({ retweeted: z.boolean(), retweetsCount: z.number().int().nonnegative() })
  .openapi('RetweetState');
export const BookmarkState = z.object({ bookmarked: z.boolean() }).openapi('BookmarkState');
