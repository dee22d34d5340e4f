import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/**
 * The slot (0-16383) Redis Cluster gives a key, by the function ioredis routes with.
 * cluster-key-slot ships no types (a declaration file in app/ would not build: the test
 * build transpiles every file the project includes), hence the typed require.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const slotOf = require('cluster-key-slot') as (key: string) => number;

/**
 * Commands on many keys of a Redis Cluster, grouped by the node that serves each key's slot:
 * one pipeline per node, all sent at once, so a batch costs one round trip per node whatever
 * its size (docs/decisions/0017). A cluster refuses a command, a script or a MULTI whose keys
 * span slots, and ioredis refuses a pipeline whose commands go to different nodes; on one
 * instance every key is on the one node, and a batch is one pipeline.
 */

/** A connection of the cache role: one instance (or a Sentinel-followed one) or a cluster. */
export type CacheClient = Redis | Cluster;

/** One reply of a pipeline, as ioredis gives it. */
export type Reply = [Error | null, unknown];

/** Where a key goes: its slot's node group (as ioredis routes), or the slot until it knows. */
function nodeOf(client: CacheClient, key: string): string {
  if (!client.isCluster) return '';
  const slot = slotOf(key);
  return (client as Cluster).slots[slot]?.join(',') ?? `slot:${slot}`;
}

/** A command to queue: the key that routes it, and how it is added to a pipeline. */
export interface Routed {
  key: string;
  add: (pipeline: ChainableCommander) => void;
}

/**
 * Runs `commands` in one pipeline per node, in parallel, and answers their replies in the
 * order given. A reply is an error when its command failed (a node down, a slot moving).
 */
export async function perNode(client: CacheClient, commands: readonly Routed[]): Promise<Reply[]> {
  const groups = new Map<string, number[]>();
  commands.forEach(({ key }, i) => {
    const node = nodeOf(client, key);
    const group = groups.get(node);
    if (group) group.push(i);
    else groups.set(node, [i]);
  });
  const replies: Reply[] = new Array<Reply>(commands.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const pipeline = client.pipeline();
      for (const i of indexes) commands[i].add(pipeline);
      const answers = (await pipeline.exec()) ?? [];
      indexes.forEach((i, j) => {
        replies[i] = answers[j] ?? [new Error('no reply'), null];
      });
    }),
  );
  return replies;
}

/** The value of each reply, throwing the first error (the caller falls back to MySQL). */
export function valuesOf(replies: readonly Reply[]): unknown[] {
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/**
 * Deletes keys of any slots: one DEL per slot (a cluster refuses a DEL across slots), in one
 * pipeline per node; on one instance, one DEL.
 */
export async function deleteKeys(client: CacheClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  if (!client.isCluster) {
    await client.del(...keys);
    return;
  }
  const bySlot = new Map<number, string[]>();
  for (const key of keys) {
    const slot = slotOf(key);
    const slotKeys = bySlot.get(slot);
    if (slotKeys) slotKeys.push(key);
    else bySlot.set(slot, [key]);
  }
  valuesOf(
    await perNode(
      client,
      [...bySlot.values()].map((slotKeys) => ({
        key: slotKeys[0],
        add: (pipeline) => pipeline.del(...slotKeys),
      })),
    ),
  );
}

/**
 * The routing key of a queued command: its first argument, or its second when the first is
 * a count of keys (scripts that take any number of keys: `addToTimelines(n, key…)`).
 */
const routingKey = (args: readonly unknown[]): string =>
  String(typeof args[0] === 'number' ? args[1] : args[0]);

/**
 * A pipeline that may hold commands of any slots: it queues each command with its routing key
 * and, on `exec`, sends one pipeline per node (perNode), answering replies in queue order as
 * ioredis's `exec` does. Each command's own keys must still share a slot (a user's keys do,
 * by their hash tag). Unlike ioredis's, `exec` throws when a command failed: a node lost in
 * a failover must fail the fan-out job (Bull retries it) or the upkeep (a repair job follows),
 * not leave some timelines without the entry unnoticed. `P` is the pipeline type the caller
 * chains (scripts included).
 */
export function spreadPipeline<P>(client: CacheClient): P {
  const queued: { name: string; args: unknown[] }[] = [];
  const pipeline: P = new Proxy(
    {},
    {
      get(_, name) {
        if (name === 'exec') {
          return async () => {
            const replies = await perNode(
              client,
              queued.map(({ name: command, args }) => ({
                key: routingKey(args),
                add: (node: ChainableCommander) => {
                  (node as unknown as Record<string, (...a: unknown[]) => unknown>)[command](
                    ...args,
                  );
                },
              })),
            );
            valuesOf(replies);
            return replies;
          };
        }
        if (name === 'length') return queued.length;
        if (typeof name !== 'string' || name === 'then') return undefined;
        return (...args: unknown[]) => {
          queued.push({ name, args });
          return pipeline;
        };
      },
    },
  ) as P;
  return pipeline;
}
