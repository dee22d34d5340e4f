import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { NOTIFICATION_TYPES, type NotificationType } from '../app/notifications/types';

export type { NotificationType };

/** Something that happened to `userId`'s account or tweets, done by `actorId`. */
export class Notification extends Model<
  InferAttributes<Notification>,
  InferCreationAttributes<Notification>
> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare type: NotificationType;
  declare actorId: string;
  declare tweetId: string | null;
  declare dedupeKey: string;
  declare readAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Notification.init(
      {
        id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
        userId: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
        type: { type: DataTypes.ENUM(...NOTIFICATION_TYPES), allowNull: false },
        actorId: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
        tweetId: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
        dedupeKey: { type: DataTypes.STRING(100), allowNull: false },
        readAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'notifications', updatedAt: false },
    );
  }
}
