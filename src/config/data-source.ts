import 'reflect-metadata';
import { config as loadDotEnv } from 'dotenv';
import { DataSource } from 'typeorm';
import { validateEnv } from './env.schema';
import { dataSourceOptions } from './database';

/** Used by the TypeORM CLI (`npm run migration:*`) and by scripts that run migrations. */
loadDotEnv({ quiet: true });
export default new DataSource(dataSourceOptions(validateEnv(process.env).DATABASE_URL));
