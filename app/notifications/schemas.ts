import { PageQuery, pageOf } from '../http/paging';
import { Id, Timestamp, z } from '../http/zod';
import { AuthorSummary, TweetSchema } from '../tweets/schemas';
import { NOTIFICATION_TYPES } from '../records/notifications';

export const NotificationSchema = z
  .object({
    id: Id,
    type: z.enum(NOTIFICATION_TYPES),
    actor: AuthorSummary,
    tweet: TweetSchema.optional().openapi({
      description: 'The tweet liked, retweeted, replied with or mentioning you',
    }),
    createdAt: Timestamp,
    read: z.boolean(),
  })
  .openapi('Notification');

export type NotificationJson = z.infer<typeof NotificationSchema>;

export const NotificationPage = pageOf(NotificationSchema, 'NotificationPage');

export const MarkReadBody = z
  .object({ ids: z.array(Id).min(1).max(100).optional() })
  .openapi('MarkReadBody');

export const NotificationQuery = PageQuery.extend({
  type: z
    .enum(NOTIFICATION_TYPES)
    .optional()
    .openapi({ description: 'Only notifications of this type' }),
});
