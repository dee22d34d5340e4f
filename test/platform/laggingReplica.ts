import { config } from '../../config';
import { createSequelize } from '../../app/infra/db';
import { createMigrator } from '../../migrations';
import { uniqueHandle } from '../helpers/http';
import { type ApiNode, type Client, startApiNode } from '../helpers/apiNode';
import { connectToServer, databaseUrlFor, throwawayDatabaseName } from './support';

/** A user signed up through an API node of the test's own. */
export interface NodeAccount {
  id: string;
  accessToken: string;
}

/**
 * An API node whose read replica never catches up: a migrated copy of the schema that gets
 * only the rows a test copies into it with `replicate`. Whatever it answers from the replica
 * is stale.
 */
export interface LaggingReplicaNode {
  /** `http://127.0.0.1:<port>`, for Socket.IO clients. */
  url: string;
  request(): Client;
  register(prefix: string): Promise<NodeAccount>;
  /** The replica catches up with these rows of `table`, and nothing else. */
  replicate(table: 'users' | 'tweets', ids: string[]): Promise<void>;
  /** Stops the node and drops the replica. */
  stop(): Promise<void>;
}

/** Starts an API node on a new replica database `chirp_tmp_<tag>_…` that lags forever. */
export async function startLaggingReplicaNode(tag: string): Promise<LaggingReplicaNode> {
  const replicaName = throwawayDatabaseName(tag);
  const server = await connectToServer();
  let node: ApiNode | undefined;
  const stop = async () => {
    await node?.stop();
    await server.query(`DROP DATABASE IF EXISTS \`${replicaName}\``);
    await server.end();
  };
  try {
    await server.query(`CREATE DATABASE \`${replicaName}\` CHARACTER SET utf8mb4`);
    const replica = createSequelize(databaseUrlFor(replicaName), 1, []);
    await createMigrator(replica).up();
    await replica.close();
    node = await startApiNode({ DATABASE_REPLICA_URLS: databaseUrlFor(replicaName) });
  } catch (error) {
    await stop(); // neither a half-started node nor its database may outlive the test
    throw error;
  }
  const { client: request, url } = node;
  return {
    url,
    request,
    async register(prefix) {
      const response = await request()
        .post('/auth/register')
        .send({ ...uniqueHandle(prefix), password: 'correct horse battery' })
        .expect(201);
      return { id: response.body.user.id, accessToken: response.body.accessToken };
    },
    async replicate(table, ids) {
      await server.query(
        `INSERT INTO \`${replicaName}\`.${table} SELECT * FROM \`${config.databaseName}\`.${table} WHERE id IN (?)`,
        [ids],
      );
    },
    stop,
  };
}
