import { sequelize } from '../app/infra/db';
import { Like } from './Like';
import { PasswordReset } from './PasswordReset';
import { RefreshToken } from './RefreshToken';
import { Tweet } from './Tweet';
import { User } from './User';

User.initModel(sequelize);
RefreshToken.initModel(sequelize);
PasswordReset.initModel(sequelize);
Tweet.initModel(sequelize);
Like.initModel(sequelize);

Tweet.belongsTo(User, { as: 'author', foreignKey: 'authorId', constraints: false });

export { sequelize, User, RefreshToken, PasswordReset, Tweet, Like };
