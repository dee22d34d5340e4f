import supertest from 'supertest';
import { freePort, type RunningProcess, startProcess } from './processes';

/**
 * API nodes of a test's own: `app/index.ts` (Koa and Socket.IO on one port) as a real
 * process, sharing the suite's MySQL and Redis unless `env` points it elsewhere. Fixtures
 * that need more around a node (small rate budgets, a lagging replica, a Redis of their own)
 * wrap this one.
 */

/** An HTTP client on an API node: the in-process one (`api()`) or a process's. */
export type Client = ReturnType<typeof supertest>;

export interface ApiNode {
  /** `http://127.0.0.1:<port>`, for fetch and Socket.IO clients. */
  url: string;
  port: number;
  process: RunningProcess;
  /** A supertest agent on this node. */
  client: () => Client;
  /** Ends the node at once (SIGKILL); a test of graceful shutdown calls `process.stop()`. */
  stop(): Promise<void>;
}

/** Starts an API node with the test environment plus `env`, on `port` or a free one. */
export async function startApiNode(
  env: Record<string, string | undefined> = {},
  { port }: { port?: number } = {},
): Promise<ApiNode> {
  const chosen = port ?? (await freePort());
  const running = await startProcess('app/index.ts', { ...env, PORT: String(chosen) });
  const url = `http://127.0.0.1:${chosen}`;
  return {
    url,
    port: chosen,
    process: running,
    client: () => supertest(url),
    async stop() {
      await running.stop('SIGKILL');
    },
  };
}
