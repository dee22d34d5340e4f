import { sequelize } from '../../app/infra/db';

// Prints the process-wide pool's size limit, read as a started process reads its environment.
process.stdout.write(`pool.max=${sequelize.config.pool?.max}\n`);
void sequelize.close();
