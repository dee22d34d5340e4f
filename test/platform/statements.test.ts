import { expect } from 'chai';
import { DatabaseError, UniqueConstraintError } from 'sequelize';
import { injectReplacements } from 'sequelize/lib/utils/sql';
import {
  databaseUnavailable,
  execute,
  inTransaction,
  select,
  sequelize,
  sqlText,
} from '../../app/infra/db';

type Dialect = Parameters<typeof injectReplacements>[1];
const dialect = (sequelize as unknown as { dialect: Dialect }).dialect;
/** What `sequelize.query` sends for `sql` with `replacements`. */
const sequelizeText = (sql: string, replacements: Record<string, unknown>) =>
  injectReplacements(sql.trim(), dialect, replacements);

const TABLE = `statement_probe_${process.pid}`;

describe('statements on the driver (app/infra/db.ts select and execute)', () => {
  before(async () => {
    await sequelize.query(
      `CREATE TABLE ${TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE,
       n INT NOT NULL DEFAULT 0) ENGINE=InnoDB`,
    );
  });
  after(async () => {
    await sequelize.query(`DROP TABLE IF EXISTS ${TABLE}`);
  });

  it('sends the very text sequelize.query would, for every kind of value, call after call', () => {
    const cases: [string, Record<string, unknown>][] = [
      [
        'SELECT * FROM t WHERE a = :a AND b IN (:b)',
        { a: `it's \\ "quoted" 🦄 \0 end`, b: ['1', '2', "3'"] },
      ],
      ["  SELECT ':a' AS s, `:a` AS c, :a -- :a\n, /* :a */ :b  ", { a: 'x', b: null }],
      ['SELECT :n + 1, :flag, :when', { n: 41, flag: true, when: new Date(Date.UTC(2026, 11, 3)) }],
      ['UPDATE t SET x = :x WHERE id = :id', { id: '9', x: 'y', unused: undefined }],
      ['SELECT :a, :a', { a: 'twice' }],
    ];
    for (const [sql, replacements] of cases) {
      const expected = sequelizeText(sql, replacements);
      expect(sqlText(sql, replacements), sql).to.equal(expected);
      expect(sqlText(sql, replacements), `${sql}, again`).to.equal(expected);
    }
    // The same statement with other values: a remembered statement carries no value over.
    expect(sqlText('SELECT :a', { a: 'one' })).to.equal("SELECT 'one'");
    expect(sqlText('SELECT :a', { a: 'two' })).to.equal("SELECT 'two'");
    expect(sqlText('SELECT :a', { a: ['x', 'y'] })).to.equal("SELECT 'x', 'y'");
  });

  it('refuses a replacement the statement names but was given no value, as Sequelize does', () => {
    const sql = 'SELECT :a, :b';
    expect(() => sqlText(sql, { a: 1, b: 2 })).not.to.throw();
    expect(() => sqlText(sql, { a: 1, b: undefined })).to.throw(/":b" has no entry/);
    expect(() => sqlText(sql, { a: 1 })).to.throw(/":b" has no entry/);
  });

  it('answers inserted ids, affected rows and rows, and a value goes in as written', async () => {
    const name = `it's "${process.pid}" 🦄`;
    const inserted = await execute(`INSERT INTO ${TABLE} (name) VALUES (:name)`, {
      replacements: { name },
    });
    expect(inserted.affectedRows).to.equal(1);
    expect(Number(inserted.insertId)).to.be.above(0);
    const rows = await select<{ id: number; name: string }>(
      `SELECT id, name FROM ${TABLE} WHERE name IN (:names)`,
      { replacements: { names: [name, 'nobody'] } },
    );
    expect(rows).to.deep.equal([{ id: Number(inserted.insertId), name }]);
    const ignored = await execute(`INSERT IGNORE INTO ${TABLE} (name) VALUES (:name)`, {
      replacements: { name },
    });
    expect(ignored.affectedRows).to.equal(0);
  });

  it('throws the errors sequelize.query throws: a duplicate key, a bad statement', async () => {
    await execute(`INSERT INTO ${TABLE} (name) VALUES ('taken')`);
    const duplicate = await execute(`INSERT INTO ${TABLE} (name) VALUES ('taken')`).catch(
      (error: unknown) => error,
    );
    expect(duplicate).to.be.instanceOf(UniqueConstraintError);
    const bad = await select(`SELECT nothing FROM ${TABLE}`).catch((error: unknown) => error);
    expect(bad).to.be.instanceOf(DatabaseError);
    expect((bad as { parent: { code: string } }).parent.code).to.equal('ER_BAD_FIELD_ERROR');
    expect(databaseUnavailable(bad)).to.equal(null);
  });

  it("runs a transaction's statements on its connection, and a rollback takes them back", async () => {
    const failure = await inTransaction(async (transaction) => {
      await execute(`INSERT INTO ${TABLE} (name) VALUES ('rolled back')`, { transaction });
      const seen = await select(`SELECT id FROM ${TABLE} WHERE name = 'rolled back'`, {
        transaction,
      });
      expect(seen, 'its own write, inside the transaction').to.have.length(1);
      throw new Error('give up');
    }).catch((error: unknown) => error);
    expect((failure as Error).message).to.equal('give up');
    expect(await select(`SELECT id FROM ${TABLE} WHERE name = 'rolled back'`)).to.deep.equal([]);
  });

  it('runs a whole transaction, START TRANSACTION and COMMIT too, without sequelize.query', async () => {
    let throughSequelize = 0;
    const count = () => {
      throughSequelize += 1;
    };
    sequelize.addHook('beforeQuery', 'statementProbe', count);
    try {
      await inTransaction(async (transaction) => {
        await execute(`INSERT INTO ${TABLE} (name) VALUES ('committed')`, { transaction });
        await select(`SELECT id FROM ${TABLE}`, { transaction });
      });
      await inTransaction(async (transaction) => {
        await execute(`INSERT INTO ${TABLE} (name) VALUES ('undone')`, { transaction });
        throw new Error('undo');
      }).catch(() => undefined);
    } finally {
      sequelize.removeHook('beforeQuery', 'statementProbe');
    }
    expect(throughSequelize).to.equal(0);
    const names = await select<{ name: string }>(
      `SELECT name FROM ${TABLE} WHERE name IN ('committed', 'undone')`,
    );
    expect(names).to.deep.equal([{ name: 'committed' }]);
  });

  it('retries a transaction InnoDB chose as a deadlock victim, and both commit', async () => {
    await execute(`INSERT INTO ${TABLE} (name) VALUES ('left'), ('right')`);
    let attempts = 0;
    let bothLocked: () => void = () => undefined;
    const locked = new Promise<void>((resolve) => {
      let count = 0;
      bothLocked = () => {
        count += 1;
        if (count === 2) resolve();
      };
    });
    const bump = (first: string, second: string) =>
      inTransaction(async (transaction) => {
        attempts += 1;
        const update = (name: string) =>
          execute(`UPDATE ${TABLE} SET n = n + 1 WHERE name = :name`, {
            replacements: { name },
            transaction,
          });
        await update(first);
        if (attempts <= 2) {
          bothLocked();
          await locked; // each holds its first row: the second updates cross
        }
        await update(second);
      });
    await Promise.all([bump('left', 'right'), bump('right', 'left')]);
    expect(attempts, 'one of the two ran again').to.equal(3);
    const rows = await select<{ name: string; n: number }>(
      `SELECT name, n FROM ${TABLE} WHERE name IN ('left', 'right') ORDER BY name`,
    );
    expect(rows).to.deep.equal([
      { name: 'left', n: 2 },
      { name: 'right', n: 2 },
    ]);
  });
});
