import type { NotificationJson } from '../notifications/schemas';
import type { z } from '../http/zod';
import type { TimelineItem } from '../tweets/schemas';

/**
 * Every realtime event and its payload: the one map imported by the Socket.IO server (API
 * nodes), the Redis emitter (workers) and the tests' clients.
 */
export interface ServerToClientEvents {
  /** A tweet or retweet by someone the user follows, or by the user. */
  'tweet:new': (payload: { tweet: z.infer<typeof TimelineItem> }) => void;
  /** An entry that was in the user's timeline was deleted. */
  'tweet:deleted': (payload: { id: string }) => void;
  /** The same object GET /notifications answers. */
  notification: (payload: { notification: NotificationJson }) => void;
}

/** Clients send nothing: reads and writes go through REST. */
export type ClientToServerEvents = Record<string, never>;

export type RealtimeEvent = keyof ServerToClientEvents;

/** Every socket of a user is in this room, on whichever node it is connected. */
export const userRoom = (userId: string): string => `user:${userId}`;

/** The Redis pub/sub key shared by the adapter (API nodes) and the emitter (workers). */
export const socketIoKey = (prefix: string): string => `${prefix}socket.io`;
