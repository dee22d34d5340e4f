/**
 * Every kind of notification, in the order of the `notifications.type` ENUM column. The one
 * list the model, the API schema and the job map derive from; adding a kind means adding it
 * here and in a migration that widens the ENUM (test/notifications/types.test.ts checks the
 * live column against this list).
 */
export const NOTIFICATION_TYPES = ['like', 'retweet', 'follow', 'reply'] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
