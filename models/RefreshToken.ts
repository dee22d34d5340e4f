import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/**
 * One refresh token, stored only as its SHA-256. Tokens issued from one login share a
 * `familyId`; presenting a token that was already rotated revokes the whole family.
 */
export class RefreshToken extends Model<
  InferAttributes<RefreshToken>,
  InferCreationAttributes<RefreshToken>
> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare familyId: string;
  declare tokenHash: string;
  declare expiresAt: Date;
  /** The sign-in that began the session; no refresh is granted SESSION_MAX_AGE after it. */
  declare sessionStartedAt: Date;
  declare rotatedAt: CreationOptional<Date | null>;
  declare revokedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    RefreshToken.init(
      {
        id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
        userId: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
        familyId: { type: DataTypes.CHAR(36), allowNull: false },
        tokenHash: { type: DataTypes.CHAR(64), allowNull: false },
        expiresAt: { type: DataTypes.DATE(3), allowNull: false },
        sessionStartedAt: { type: DataTypes.DATE(3), allowNull: false },
        rotatedAt: { type: DataTypes.DATE(3), allowNull: true },
        revokedAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'refresh_tokens', updatedAt: false },
    );
  }
}
