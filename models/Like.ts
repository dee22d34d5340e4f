import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** One user's like of one tweet (the pair is the primary key: a like counts once). */
export class Like extends Model<InferAttributes<Like>, InferCreationAttributes<Like>> {
  declare userId: string;
  declare tweetId: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Like.init(
      {
        userId: { type: DataTypes.BIGINT.UNSIGNED, primaryKey: true },
        tweetId: { type: DataTypes.BIGINT.UNSIGNED, primaryKey: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'likes', updatedAt: false },
    );
  }
}
