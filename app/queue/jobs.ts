/**
 * Every queue and the payload of its jobs: the one map that producers (API nodes) and
 * processors (workers) both import. Payloads carry ids, never rows or secrets.
 */
export interface JobPayloads {
  mail: { kind: 'passwordReset'; resetId: string };
  /** Push a new timeline entry (tweet or retweet row) into the followers' home timelines. */
  fanout: { entryId: string };
  /** Keep timelines true after deletes and when an author crosses the celebrity threshold. */
  timeline:
    | { kind: 'remove'; entries: { id: string; authorId: string }[] }
    | { kind: 'celebrity'; userId: string; celebrity: boolean }
    /** An unsuspended author: their recent entries go back into followers' timelines. */
    | { kind: 'restore'; userId: string }
    /** Cache upkeep after a write failed (Redis away): drop what may be stale. */
    | {
        kind: 'repair';
        tweetIds: string[];
        userIds: string[];
        authUserIds: string[];
        /** Authors whose every row's tweet record to drop (absent in jobs of older nodes). */
        tweetAuthorIds?: string[];
        /** Whether trending tags missed a use: their sets rebuild from MySQL (absent: no). */
        trending?: boolean;
      };
  /**
   * Push a notification, committed with its action, to its recipient's sockets. Jobs of the
   * old format (the worker persisted the notification) are still processed for one release:
   * some may wait in queues and outboxes at deploy time.
   */
  notifications: { kind: 'push'; notificationId: string } | LegacyNotificationJob;
  /** Remove an account being deleted (users.deleted_at set), its rows a batch at a time. */
  accounts: { kind: 'delete'; userId: string };
}

/**
 * A `notifications` job as queued before notifications were written in the action's own
 * transaction. Nothing queues it any more; remove it one release after that change. Its kinds
 * are spelled here, not read from NOTIFICATION_TYPES: an old format does not grow new kinds.
 */
export type LegacyNotificationJob =
  | { kind: 'like' | 'retweet'; actorId: string; tweetId: string }
  | { kind: 'reply'; actorId: string; tweetId: string }
  | { kind: 'follow'; actorId: string; userId: string };

export type QueueName = keyof JobPayloads;

/**
 * What the request that queued a job may already know, right after the commit, that the
 * job's at-commit work would otherwise read again (runJobsAtCommit): for a new entry, its
 * author and their follower count, as the post's own answer read them after the commit.
 */
export interface AtCommitFacts {
  fanout: { authorId: string; followers: number; originalAuthorId: string | null };
}

/** The facts a job of `N` may come with at its commit (none for most queues). */
export type FactsOf<N extends QueueName> = N extends keyof AtCommitFacts ? AtCommitFacts[N] : never;

export const QUEUE_NAMES: QueueName[] = ['mail', 'fanout', 'timeline', 'notifications', 'accounts'];

export const isQueueName = (name: string): name is QueueName =>
  (QUEUE_NAMES as string[]).includes(name);
