import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { User } from './User';

/**
 * A tweet, a reply (`replyToId`) or a retweet (`retweetOfId`, empty content). A retweet is a
 * row of its own so that it has an id ordered by time, like every timeline entry.
 */
export class Tweet extends Model<InferAttributes<Tweet>, InferCreationAttributes<Tweet>> {
  declare id: CreationOptional<string>;
  declare authorId: string;
  declare content: CreationOptional<string>;
  declare replyToId: CreationOptional<string | null>;
  declare retweetOfId: CreationOptional<string | null>;
  declare likesCount: CreationOptional<number>;
  declare retweetsCount: CreationOptional<number>;
  declare repliesCount: CreationOptional<number>;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare author?: User;

  static initModel(sequelize: Sequelize): void {
    Tweet.init(
      {
        id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
        authorId: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
        content: { type: DataTypes.STRING(280), allowNull: false, defaultValue: '' },
        replyToId: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
        retweetOfId: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
        likesCount: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
        retweetsCount: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
        repliesCount: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
        version: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'tweets', updatedAt: false },
    );
  }
}
