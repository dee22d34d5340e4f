import { sequelize } from '../app/infra/db';
import { PasswordReset } from './PasswordReset';
import { RefreshToken } from './RefreshToken';
import { User } from './User';

User.initModel(sequelize);
RefreshToken.initModel(sequelize);
PasswordReset.initModel(sequelize);

export { sequelize, User, RefreshToken, PasswordReset };
