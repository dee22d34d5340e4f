import { expect } from 'chai';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { api, bearer, registerUser } from '../helpers/http';
import { freePort } from '../helpers/processes';
import {
  connectToServer,
  databaseUrlFor,
  runUntilExit,
  STACK_LINE,
  throwawayDatabaseName,
} from './support';

// The entry points log through pino; the suite's LOG_LEVEL=silent would hide what they say.
const VERBOSE = { LOG_LEVEL: 'info' };

async function rows(connection: Connection, sql: string, values: unknown[] = []) {
  const [result] = await connection.query<RowDataPacket[]>(sql, values);
  return result;
}

describe('npm run db:migrate (app/cli/migrate.ts)', function () {
  this.timeout(30_000);
  const created: string[] = [];
  let server: Connection;

  before(async () => {
    server = await connectToServer();
  });

  after(async () => {
    for (const name of created) await server.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await server.end();
  });

  describe('on a server without the database', () => {
    const name = throwawayDatabaseName('mig');
    let first: { code: number | null; output: string };

    before(async () => {
      created.push(name);
      const existing = await rows(
        server,
        'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [name],
      );
      expect(existing, `${name} should not exist yet`).to.have.length(0);
      first = await runUntilExit('app/cli/migrate.ts', {
        ...VERBOSE,
        DATABASE_URL: databaseUrlFor(name),
      });
    });

    it('creates the database in utf8mb4', async () => {
      expect(first.code, first.output).to.equal(0);
      const schema = await rows(
        server,
        'SELECT DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [name],
      );
      expect(schema).to.have.length(1);
      expect(schema[0].charset).to.equal('utf8mb4');
    });

    it('creates the users, refresh_tokens and password_resets tables', async () => {
      const tables = await rows(
        server,
        'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
        [name],
      );
      expect(tables.map((t) => String(t.name))).to.include.members([
        'users',
        'refresh_tokens',
        'password_resets',
      ]);
    });

    it('applies nothing on a second run and says the database is up to date', async () => {
      const before = await rows(server, `SELECT name FROM \`${name}\`.schema_migrations`);
      const second = await runUntilExit('app/cli/migrate.ts', {
        ...VERBOSE,
        DATABASE_URL: databaseUrlFor(name),
      });
      expect(second.code, second.output).to.equal(0);
      expect(second.output).to.contain('up to date');
      const after = await rows(server, `SELECT name FROM \`${name}\`.schema_migrations`);
      expect(after).to.deep.equal(before);
    });
  });

  it('stops the API on a database with pending migrations, and leaves it alone', async () => {
    const name = throwawayDatabaseName('pend');
    created.push(name);
    await server.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    const { code, output } = await runUntilExit('app/index.ts', {
      ...VERBOSE,
      PORT: '0',
      DATABASE_URL: databaseUrlFor(name),
    });
    expect(code).to.be.a('number').and.not.equal(0);
    expect(output).to.contain('pending migrations');
    expect(output).to.contain('db:migrate');
    const users = await rows(
      server,
      "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'users'",
      [name],
    );
    expect(users, 'the API must not migrate by itself').to.have.length(0);
  });

  it('says in a sentence that MySQL is not answering, where, and how to start it', async () => {
    const port = await freePort();
    const { code, output } = await runUntilExit('app/cli/migrate.ts', {
      ...VERBOSE,
      DATABASE_URL: `mysql://root@127.0.0.1:${port}/chirp_tmp_unreachable`,
    });
    expect(code).to.be.a('number').and.not.equal(0);
    expect(output).to.contain('MySQL');
    expect(output).to.contain(`127.0.0.1:${port}`);
    expect(output).to.contain('DATABASE_URL');
    expect(output).to.match(/start/i);
    expect(output).to.match(/mariadbd|systemctl start/);
    expect(output).not.to.match(STACK_LINE);
  });
});

describe('text outside the Basic Multilingual Plane', () => {
  it('keeps an emoji in a display name intact from register to GET /users/me', async () => {
    const user = await registerUser({ displayName: 'Ada 🦄' });
    const response = await api().get('/users/me').set(bearer(user.accessToken)).expect(200);
    expect(response.body.displayName).to.equal('Ada 🦄');
  });
});
