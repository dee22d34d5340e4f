import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// When the sign-in that began a session happened: rotation copies it, and no refresh is
// granted past SESSION_MAX_AGE after it. Tokens issued before this migration count their
// session from their own creation (the best bound known for them).
export const up: Migration = async ({ context: qi }) => {
  await qi.addColumn('refresh_tokens', 'session_started_at', {
    type: DataTypes.DATE(3),
    allowNull: true,
  });
  await qi.sequelize.query('UPDATE refresh_tokens SET session_started_at = created_at');
  await qi.changeColumn('refresh_tokens', 'session_started_at', {
    type: DataTypes.DATE(3),
    allowNull: false,
  });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.removeColumn('refresh_tokens', 'session_started_at');
};
