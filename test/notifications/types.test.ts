import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import { NOTIFICATION_TYPES } from '../../app/records/notifications';

describe('notification types', () => {
  it('are the values the migrated notifications.type column accepts, in order', async () => {
    const [column] = await sequelize.query<{ Type: string }>(
      "SHOW COLUMNS FROM notifications LIKE 'type'",
      { type: QueryTypes.SELECT },
    );
    const match = /^enum\((.*)\)$/i.exec(column.Type);
    expect(match, `notifications.type is ${column.Type}, not an ENUM`).to.not.equal(null);
    const values = [...match![1].matchAll(/'((?:[^']|'')*)'/g)].map((m) =>
      m[1].replace(/''/g, "'"),
    );
    expect(values).to.deep.equal([...NOTIFICATION_TYPES]);
  });
});
