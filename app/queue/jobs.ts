/**
 * Every queue and the payload of its jobs: the one map that producers (API nodes) and
 * processors (workers) both import. Payloads carry ids, never rows or secrets.
 */
export interface JobPayloads {
  mail: { kind: 'passwordReset'; resetId: string };
}

export type QueueName = keyof JobPayloads;

export const QUEUE_NAMES: QueueName[] = ['mail'];
