import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const USER_ROLES = ['user', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** An account. `usernameKey`/`emailKey` are the lower-cased forms that uniqueness is judged on. */
export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<string>;
  declare username: string;
  declare usernameKey: string;
  declare email: string;
  declare emailKey: string;
  declare displayName: string;
  declare bio: CreationOptional<string>;
  declare passwordHash: string;
  /** `admin`: may open the queue board (`npm run admin:grant -- <username>`). */
  declare role: CreationOptional<UserRole>;
  /** Bumped by a password reset: access tokens carrying an older version are refused. */
  declare tokenVersion: CreationOptional<number>;
  /** Set while an admin has the account suspended: hidden from others, sign-ins refused. */
  declare suspendedAt: CreationOptional<Date | null>;
  /** Set when its holder asked to delete it: absent to all while a job removes its rows. */
  declare deletedAt: CreationOptional<Date | null>;
  declare followersCount: CreationOptional<number>;
  declare followingCount: CreationOptional<number>;
  declare tweetsCount: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    User.init(
      {
        id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
        username: { type: DataTypes.STRING(15), allowNull: false },
        usernameKey: { type: DataTypes.STRING(15), allowNull: false },
        email: { type: DataTypes.STRING(254), allowNull: false },
        emailKey: { type: DataTypes.STRING(254), allowNull: false },
        displayName: { type: DataTypes.STRING(50), allowNull: false },
        bio: { type: DataTypes.STRING(160), allowNull: false, defaultValue: '' },
        passwordHash: { type: DataTypes.STRING(60), allowNull: false },
        role: { type: DataTypes.ENUM(...USER_ROLES), allowNull: false, defaultValue: 'user' },
        tokenVersion: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
        suspendedAt: { type: DataTypes.DATE(3), allowNull: true, defaultValue: null },
        deletedAt: { type: DataTypes.DATE(3), allowNull: true, defaultValue: null },
        followersCount: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
        followingCount: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
        tweetsCount: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'users' },
    );
  }
}
